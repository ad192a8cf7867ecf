//go:build !unix

package check

import "errors"

func mkfifo(string) error { return errors.New("FIFOs are a Unix thing") }
