//go:build !linux

package main

func pageOutBinary() error { return nil }
