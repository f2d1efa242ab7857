//go:build !linux

package daemon

func pageOutBinary() error { return nil }
