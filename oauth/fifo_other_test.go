//go:build !unix

package oauth_test

import "errors"

func mkfifo(string) error { return errors.New("not supported") }
