package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// The router binary has a 7.5 MiB budget (scripts/size-report.sh), and a few
// standard packages cost far more than the one call that pulls them in. This
// links the release binary for the host the way scripts/goflags.sh builds it
// and fails if one of them is back: which symbol reaches it is in the
// message (go build -ldflags=-dumpdep shows the whole chain).
func TestRouterBinaryLeavesOutHeavyCode(t *testing.T) {
	if testing.Short() {
		t.Skip("links a release binary")
	}
	flags, err := exec.Command("./scripts/goflags.sh").Output()
	if err != nil {
		t.Fatalf("scripts/goflags.sh: %v", err)
	}
	args := append([]string{"build"}, strings.Fields(string(flags))...)
	args = append(args, "-ldflags=-dumpdep", "-o", filepath.Join(t.TempDir(), "sstpgo"), ".")
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go build -ldflags=-dumpdep: %v\n%.2000s", err, out)
	}
	banned := []struct{ prefix, why string }{
		// regexp/syntax keeps every unicode table alive: ~330 KB on mipsle.
		{"regexp.", "regexp"},
	}
	first := make([]string, len(banned))
	for _, line := range strings.Split(string(out), "\n") {
		from, to, ok := strings.Cut(line, " -> ")
		if !ok || from == "go:main.inittasks" { // names the package, not who needs it
			continue
		}
		for i, b := range banned {
			if first[i] == "" && strings.HasPrefix(to, b.prefix) {
				first[i] = line
			}
		}
	}
	for i, b := range banned {
		if first[i] != "" {
			t.Errorf("%s is linked into the router binary again, first by: %s", b.why, first[i])
		}
	}
}

// upstreamFlagNames is urfave/cli v2.27.7's FlagNames, regexp and all: the
// in-tree copy (third_party/urfave-cli-v2) must name flags exactly as it did.
func upstreamFlagNames(name string, aliases []string) []string {
	commaWhitespace := regexp.MustCompile("[, ]+.*")
	var ret []string
	for _, part := range append([]string{name}, aliases...) {
		ret = append(ret, commaWhitespace.ReplaceAllString(part, ""))
	}
	return ret
}

func TestFlagNamesAsUpstream(t *testing.T) {
	for _, tc := range [][]string{
		{"server"}, {"server", "s"}, {"ca-cert, c"}, {"a b"}, {" lead"}, {"x,"},
		{"", ""}, {"n,,, m", "o  p"}, {"tab\tkept"}, {"ünï, c"}, {"0", " \n"}, {"a b\nc, d\n"},
	} {
		got := cli.FlagNames(tc[0], tc[1:])
		if want := upstreamFlagNames(tc[0], tc[1:]); !slices.Equal(got, want) {
			t.Errorf("FlagNames(%q) = %q, upstream %q", tc, got, want)
		}
	}
}

func FuzzFlagNames(f *testing.F) {
	f.Add("ca-cert, c", "x y")
	f.Fuzz(func(t *testing.T, name, alias string) {
		got := cli.FlagNames(name, []string{alias})
		if want := upstreamFlagNames(name, []string{alias}); !slices.Equal(got, want) {
			t.Errorf("FlagNames(%q, %q) = %q, upstream %q", name, alias, got, want)
		}
	})
}
