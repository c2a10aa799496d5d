package cli

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aignostics/aignostics/oauth"
	"github.com/aignostics/aignostics/resources"
)

func TestHints(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{errors.New("other"), ""},
		{fmt.Errorf("download run r: 1 file(s) failed verification, first x: %w", resources.ErrMissingChecksum), "use --no-verify to accept artifacts without one"},
		{fmt.Errorf("browser login: listen on 127.0.0.1:8989: %w after 4 retries", oauth.ErrPortInUse), "or log in with 'aignostics platform login --device'"},
	}
	for _, tc := range tests {
		if got := hint(tc.err); got != tc.want {
			t.Errorf("hint(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
	err := fmt.Errorf("x: %w", resources.ErrMissingChecksum)
	if got, want := withHint(err), err.Error()+" (use --no-verify to accept artifacts without one)"; got != want {
		t.Errorf("withHint = %q, want %q", got, want)
	}
	if classify(err) != KindIntegrity {
		t.Errorf("a missing checksum is %s, want integrity", classify(err))
	}
}
