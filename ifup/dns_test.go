package ifup

import (
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

var (
	testServers = []netip.Addr{netip.MustParseAddr("10.99.0.1"), netip.MustParseAddr("2001:db8::53")}
	testSearch  = []string{"corp.example", "example.net"}
)

const wantResolv = resolvHeader + "nameserver 10.99.0.1\nnameserver 2001:db8::53\nsearch corp.example example.net\n"

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func noFile(t *testing.T, p string) {
	t.Helper()
	if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s exists: %v", p, err)
	}
}

func TestWriteResolvConf(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
		check func(t *testing.T, path string) // after restore
	}{{
		name: "regular file keeps content and mode",
		setup: func(t *testing.T, path string) {
			os.WriteFile(path, []byte("nameserver 192.0.2.53\n"), 0o600)
		},
		check: func(t *testing.T, path string) {
			fi, err := os.Lstat(path)
			if err != nil || fi.Mode() != 0o600 || readFile(t, path) != "nameserver 192.0.2.53\n" {
				t.Errorf("restored %v %v %q", fi.Mode(), err, readFile(t, path))
			}
		},
	}, {
		name:  "missing file is removed again",
		setup: func(t *testing.T, path string) {},
		check: func(t *testing.T, path string) { noFile(t, path) },
	}, {
		name: "symlink is restored, its target untouched",
		setup: func(t *testing.T, path string) {
			target := filepath.Join(filepath.Dir(path), "resolv.conf.auto")
			os.WriteFile(target, []byte("nameserver 127.0.0.1\n"), 0o644)
			os.Symlink("resolv.conf.auto", path)
		},
		check: func(t *testing.T, path string) {
			if l, err := os.Readlink(path); err != nil || l != "resolv.conf.auto" {
				t.Errorf("link %q %v", l, err)
			}
			if got := readFile(t, path); got != "nameserver 127.0.0.1\n" {
				t.Errorf("target now %q", got)
			}
		},
	}, {
		name:  "dangling symlink",
		setup: func(t *testing.T, path string) { os.Symlink("/nonexistent/resolv.conf", path) },
		check: func(t *testing.T, path string) {
			if l, err := os.Readlink(path); err != nil || l != "/nonexistent/resolv.conf" {
				t.Errorf("link %q %v", l, err)
			}
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "resolv.conf")
			tt.setup(t, path)
			restore, err := WriteResolvConf(path, testServers, testSearch)
			if err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, path); got != wantResolv {
				t.Errorf("wrote %q", got)
			}
			if fi, err := os.Lstat(path); err != nil || !fi.Mode().IsRegular() {
				t.Errorf("ours is not a regular file: %v %v", fi.Mode(), err)
			}
			if err := restore(); err != nil {
				t.Fatal(err)
			}
			if err := restore(); err != nil {
				t.Fatal("second restore:", err)
			}
			tt.check(t, path)
			noFile(t, path+BackupSuffix)
			if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) > 2 {
				t.Errorf("left behind: %v", ents)
			}
		})
	}
}

// A daemon killed with its resolv.conf in place, then restarted: the second
// run's restore must bring back the file from before the first run.
func TestWriteResolvConfAfterCrash(t *testing.T) {
	tests := []struct {
		name     string
		original string // "" = no file
	}{{"file", "nameserver 192.0.2.53\n"}, {"no file", ""}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "resolv.conf")
			if tt.original != "" {
				os.WriteFile(path, []byte(tt.original), 0o644)
			}
			if _, err := WriteResolvConf(path, testServers[:1], nil); err != nil {
				t.Fatal(err)
			}
			// crash: restore never called
			restore, err := WriteResolvConf(path, testServers, testSearch)
			if err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, path); got != wantResolv {
				t.Errorf("wrote %q", got)
			}
			if err := restore(); err != nil {
				t.Fatal(err)
			}
			if tt.original == "" {
				noFile(t, path)
			} else if got := readFile(t, path); got != tt.original {
				t.Errorf("restored %q", got)
			}
			noFile(t, path+BackupSuffix)
		})
	}
}

func TestWriteResolvConfRejects(t *testing.T) {
	tests := []struct {
		name    string
		servers []netip.Addr
		search  []string
	}{
		{"invalid server", []netip.Addr{{}}, nil},
		{"option smuggled in a domain", testServers, []string{"a\noptions ndots:15"}},
		{"space in a domain", testServers, []string{"a b"}},
		{"empty domain", testServers, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "resolv.conf")
			os.WriteFile(path, []byte("x\n"), 0o644)
			if _, err := WriteResolvConf(path, tt.servers, tt.search); err == nil {
				t.Fatal("accepted")
			}
			if readFile(t, path) != "x\n" {
				t.Error("file changed")
			}
			noFile(t, path+BackupSuffix)
		})
	}
}

func TestWriteResolvConfUnwritable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing-dir", "resolv.conf")
	if _, err := WriteResolvConf(path, testServers, nil); err == nil {
		t.Fatal("no error")
	}
}
