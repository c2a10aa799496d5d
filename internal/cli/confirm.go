package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
)

// confirm asks a yes/no question before a command does something that cannot
// be undone (cancel many runs, delete artifacts). It asks only when stdin and
// stderr are terminals and yes (the command's --yes) is not set; otherwise it
// answers true at once. The question goes to stderr with " [y/N] ", the answer
// is one line of stdin: y or yes (any case) is true, anything else false.
// Ctrl-C while waiting returns the context's error.
func confirm(ctx context.Context, f *Factory, yes bool, question string) (bool, error) {
	if yes || !f.IO.CanPrompt() {
		return true, nil
	}
	fmt.Fprintf(f.IO.ErrOut, "%s [y/N] ", question)
	answer := make(chan string, 1)
	go func() {
		// One line, bounded: a person types a word.
		line, _ := bufio.NewReader(io.LimitReader(f.IO.In, 4096)).ReadString('\n')
		answer <- line
	}()
	select {
	case <-ctx.Done():
		fmt.Fprintln(f.IO.ErrOut)
		return false, context.Cause(ctx)
	case a := <-answer:
		switch strings.ToLower(strings.TrimSpace(a)) {
		case "y", "yes":
			return true, nil
		}
		return false, nil
	}
}
