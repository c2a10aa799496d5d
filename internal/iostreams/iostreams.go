// Package iostreams holds the three streams of one run of the command line
// and what is known about them: whether each is a terminal, the terminal's
// width and whether colour may be used. Commands never look at os.Stdout or
// ask the operating system about terminals themselves; tests build the
// streams with Test and set the terminal facts they need.
package iostreams

import (
	"bytes"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// IOStreams are the streams of a run: In for input, Out for results (what
// scripts read), ErrOut for people (progress, notes, prompts and errors).
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY, stdoutTTY, stderrTTY bool
	colorEnabled                   bool

	// width is the injected terminal width; 0 asks the terminal.
	width int
}

// fder is what *os.File offers to ask the terminal about itself.
type fder interface{ Fd() uintptr }

// System returns the process's streams, with the terminal facts read from
// the operating system. Colour starts enabled on a terminal; the caller
// turns it off for --no-color and NO_COLOR (SetColorEnabled).
func System() *IOStreams {
	s := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	s.stdinTTY = isTerminal(os.Stdin)
	s.stdoutTTY = isTerminal(os.Stdout)
	s.stderrTTY = isTerminal(os.Stderr)
	s.colorEnabled = true
	return s
}

// Test returns streams over buffers (no terminals, no colour) and the
// buffers: in, out and errOut.
func Test() (s *IOStreams, in *bytes.Buffer, out *bytes.Buffer, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// New returns streams over the given reader and writers, none of them a
// terminal; nil means empty input or discarded output.
func New(in io.Reader, out, errOut io.Writer) *IOStreams {
	if in == nil {
		in = strings.NewReader("")
	}
	if out == nil {
		out = io.Discard
	}
	if errOut == nil {
		errOut = io.Discard
	}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// IsStdinTTY reports whether In is a terminal.
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// IsStdoutTTY reports whether Out is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether ErrOut is a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// SetStdinTTY says whether In is a terminal.
func (s *IOStreams) SetStdinTTY(tty bool) { s.stdinTTY = tty }

// SetStdoutTTY says whether Out is a terminal.
func (s *IOStreams) SetStdoutTTY(tty bool) { s.stdoutTTY = tty }

// SetStderrTTY says whether ErrOut is a terminal.
func (s *IOStreams) SetStderrTTY(tty bool) { s.stderrTTY = tty }

// CanPrompt reports whether a person can answer questions: In and ErrOut
// are terminals.
func (s *IOStreams) CanPrompt() bool { return s.stdinTTY && s.stderrTTY }

// ColorEnabled reports whether colour may be written to Out.
func (s *IOStreams) ColorEnabled() bool { return s.colorEnabled && s.stdoutTTY }

// ErrColorEnabled reports whether colour may be written to ErrOut.
func (s *IOStreams) ErrColorEnabled() bool { return s.colorEnabled && s.stderrTTY }

// SetColorEnabled allows or forbids colour; it still appears only on terminals.
func (s *IOStreams) SetColorEnabled(on bool) { s.colorEnabled = on }

// SetTerminalWidth fixes the width TerminalWidth and ErrTerminalWidth report
// for streams that are terminals (tests; 0 asks the terminal again).
func (s *IOStreams) SetTerminalWidth(cols int) { s.width = cols }

// TerminalWidth is the width of the terminal Out is on, or 0 when Out is not
// a terminal (then nothing is cut to fit).
func (s *IOStreams) TerminalWidth() int { return s.widthOf(s.Out, s.stdoutTTY) }

// ErrTerminalWidth is the width of the terminal ErrOut is on, or 0 when
// ErrOut is not a terminal.
func (s *IOStreams) ErrTerminalWidth() int { return s.widthOf(s.ErrOut, s.stderrTTY) }

func (s *IOStreams) widthOf(w io.Writer, tty bool) int {
	if !tty {
		return 0
	}
	if s.width > 0 {
		return s.width
	}
	f, ok := w.(fder)
	if !ok {
		return 0
	}
	cols, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return cols
}
