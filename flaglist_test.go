package main

import (
	"slices"
	"testing"

	"github.com/urfave/cli/v2"
)

// --route repeats; each occurrence adds one route, and flags replace the file's list.
func TestRouteFlagRepeats(t *testing.T) {
	cfgFile := writeFile(t, "c.toml", "server = \"s\"\nuser = \"u\"\nroutes = [\"10.9.0.0/16\"]\n", 0o600)
	pw := writeFile(t, "pw", "pw\n", 0o600)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{name: "file only", want: []string{"10.9.0.0/16"}},
		{name: "one flag", args: []string{"--route", "10.1.0.0/16"}, want: []string{"10.1.0.0/16"}},
		{name: "repeated", args: []string{"--route", "10.1.0.0/16", "--route=192.168.5.0/24"}, want: []string{"10.1.0.0/16", "192.168.5.0/24"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *options
			app := newApp()
			app.Commands[0].Action = func(c *cli.Context) error {
				o, err := loadOptions(c)
				got = o
				return err
			}
			args := append([]string{"sstpgo", "connect", "--config", cfgFile, "--password-file", pw}, tt.args...)
			if err := app.Run(args); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Routes, tt.want) {
				t.Errorf("routes %q, want %q", got.Routes, tt.want)
			}
		})
	}
}
