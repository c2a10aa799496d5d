package iostreams

import (
	"fmt"
	"io"
	"testing"
)

func TestTestStreamsAreTheBuffers(t *testing.T) {
	s, in, out, errOut := Test()
	in.WriteString("input")
	fmt.Fprint(s.Out, "result")
	fmt.Fprint(s.ErrOut, "note")
	got, _ := io.ReadAll(s.In)
	if string(got) != "input" || out.String() != "result" || errOut.String() != "note" {
		t.Errorf("in %q out %q err %q", got, out.String(), errOut.String())
	}
	if s.IsStdinTTY() || s.IsStdoutTTY() || s.IsStderrTTY() || s.CanPrompt() || s.ColorEnabled() || s.TerminalWidth() != 0 {
		t.Error("test streams claim a terminal")
	}
}

func TestTerminalFacts(t *testing.T) {
	tests := []struct {
		name                    string
		stdin, stdout, stderr   bool
		color                   bool
		prompt, outColor, errCl bool
		outWidth, errWidth      int
	}{
		{name: "pipes", color: true},
		{name: "all terminals", stdin: true, stdout: true, stderr: true, color: true, prompt: true, outColor: true, errCl: true, outWidth: 100, errWidth: 100},
		{name: "stdout piped", stdin: true, stderr: true, color: true, prompt: true, errCl: true, errWidth: 100},
		{name: "no colour", stdin: true, stdout: true, stderr: true, prompt: true, outWidth: 100, errWidth: 100},
		{name: "stdin piped", stdout: true, stderr: true, color: true, outColor: true, errCl: true, outWidth: 100, errWidth: 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := New(nil, nil, nil)
			s.SetStdinTTY(tc.stdin)
			s.SetStdoutTTY(tc.stdout)
			s.SetStderrTTY(tc.stderr)
			s.SetColorEnabled(tc.color)
			s.SetTerminalWidth(100)
			got := []any{s.CanPrompt(), s.ColorEnabled(), s.ErrColorEnabled(), s.TerminalWidth(), s.ErrTerminalWidth()}
			want := []any{tc.prompt, tc.outColor, tc.errCl, tc.outWidth, tc.errWidth}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("prompt, colour out/err, width out/err = %v, want %v", got, want)
			}
		})
	}
}

func TestNewFillsNil(t *testing.T) {
	s := New(nil, nil, nil)
	if b, err := io.ReadAll(s.In); err != nil || len(b) != 0 {
		t.Errorf("nil input reads %q %v", b, err)
	}
	if _, err := fmt.Fprint(s.Out, "x"); err != nil {
		t.Error(err)
	}
	if _, err := fmt.Fprint(s.ErrOut, "x"); err != nil {
		t.Error(err)
	}
}
