package main

import (
	"io"

	"github.com/songgao/water"
)

// createTUN creates a TUN device without packet information (water sets IFF_NO_PI).
func createTUN(name string) (io.ReadWriteCloser, error) {
	return water.New(water.Config{DeviceType: water.TUN, PlatformSpecificParams: water.PlatformSpecificParams{Name: name}})
}
