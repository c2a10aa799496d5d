//go:build !unix

package slides

import "errors"

func mkfifo(string) error { return errors.ErrUnsupported }
