//go:build !linux

package main

import (
	"errors"
	"io"
)

func createTUN(string) (io.ReadWriteCloser, error) {
	return nil, errors.New("TUN devices are only supported on Linux")
}

func tryReader(io.ReadWriteCloser) func([]byte) (int, error) { return nil }
