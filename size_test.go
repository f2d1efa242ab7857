package main

import (
	"bytes"
	"cmp"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// buildRelease links the router binary for the host the way
// scripts/goflags.sh builds it, and returns its path and the linker's
// -dumpdep output (who keeps which symbol).
func buildRelease(t *testing.T) (bin, deps string) {
	t.Helper()
	if testing.Short() {
		t.Skip("links a release binary")
	}
	flags, err := exec.Command("./scripts/goflags.sh").Output()
	if err != nil {
		t.Fatalf("scripts/goflags.sh: %v", err)
	}
	bin = filepath.Join(t.TempDir(), "sstpgo")
	args := append([]string{"build"}, strings.Fields(string(flags))...)
	args = append(args, "-ldflags=-dumpdep", "-o", bin, ".")
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go build -ldflags=-dumpdep: %v\n%.2000s", err, out)
	}
	return bin, string(out)
}

// The router binary has a 7.5 MiB budget (scripts/size-report.sh), and a few
// standard packages cost far more than the one call that pulls them in.
// This fails if one of them is linked again: which symbol reaches it is in
// the message (go build -ldflags=-dumpdep shows the whole chain).
func TestRouterBinaryLeavesOutHeavyCode(t *testing.T) {
	bin, deps := buildRelease(t)
	banned := []struct{ mark, why string }{
		// regexp/syntax keeps every unicode table alive: 327,680 bytes.
		{" -> regexp.", "regexp"},
		// A reflect Method/MethodByName call with a name known only at run
		// time (text/template's) makes the linker keep every exported
		// method of every type stored in an interface: 1,179,648 bytes.
		{" <ReflectMethod> -> ", "a reflective method call"},
		{" -> text/template.", "text/template"}, // even its init: 65,536 bytes
		// sstp/http.go speaks the little HTTP SSTP needs; one call into
		// net/http's client adds 1,114,112 bytes.
		{" -> net/http.", "net/http"},
		// logx writes slog's lines without it (see logx's doc: ~328 KB).
		{" -> log/slog.", "log/slog"},
	}
	for _, b := range banned {
		// A package imported but unused still links its init; report who
		// calls into it when someone does.
		var call, imp string
		for _, line := range strings.Split(deps, "\n") {
			if !strings.Contains(line, b.mark) || strings.HasSuffix(line, ".argliveinfo") || strings.Contains(line, ".arginfo") {
				continue // funcdata shared by identical functions names a random caller
			}
			if strings.HasPrefix(line, "go:main.inittasks ->") {
				imp = cmp.Or(imp, line)
			} else {
				call = cmp.Or(call, line)
			}
		}
		if first := cmp.Or(call, imp); first != "" {
			t.Errorf("%s is linked into the router binary again, first by: %s", b.why, first)
		}
	}

	// The release build renders help without text/template
	// (third_party/urfave-cli-v2/help_native.go); it must print what the
	// tests see, which text/template renders.
	argvs := [][]string{{}, {"--help"}, {"-h"}, {"help"}, {"help", "nosuch"}, {"nosuch", "--help"}}
	for _, c := range newApp().Commands {
		argvs = append(argvs, []string{c.Name, "--help"}, []string{"help", c.Name}, []string{c.Name, "-h"})
	}
	for _, argv := range argvs {
		code, stdout, stderr := runCLI(t, argv...)
		var o, e bytes.Buffer
		cmd := exec.Command(bin, argv...)
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		var exit *exec.ExitError
		got := 0
		if errors.As(err, &exit) {
			got = exit.ExitCode()
		} else if err != nil {
			t.Fatalf("%s: %v", bin, err)
		}
		if got != code || o.String() != stdout || e.String() != stderr {
			t.Errorf("sstpgo %q: release binary (exit %d):\n%s%s\n--- tested (exit %d):\n%s%s",
				argv, got, o.String(), e.String(), code, stdout, stderr)
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

// The OpenWrt SDK build (openwrt/feed) does not run scripts/goflags.sh, so
// its build tags are repeated there; without them it would link the code
// the tags leave out.
func TestFeedBuildTagsAsGoflags(t *testing.T) {
	flags, err := exec.Command("./scripts/goflags.sh").Output()
	if err != nil {
		t.Fatalf("scripts/goflags.sh: %v", err)
	}
	f := strings.Fields(string(flags))
	i := slices.Index(f, "-tags")
	if i < 0 || i+1 == len(f) {
		t.Fatalf("scripts/goflags.sh sets no -tags: %s", flags)
	}
	mk, err := os.ReadFile("openwrt/feed/sstpgo/Makefile")
	if err != nil {
		t.Fatal(err)
	}
	if want := "\nGO_PKG_TAGS:=" + f[i+1] + "\n"; !strings.Contains(string(mk), want) {
		t.Errorf("openwrt/feed/sstpgo/Makefile lacks %q", strings.TrimSpace(want))
	}
}

// third_party/urfave-cli-v2 is a module of its own, so `go test ./...`
// here does not reach its test (TestPrintHelpNativeAsTemplate: the plain-Go
// help equals text/template's for every help section); this runs it.
func TestURfaveCLICopy(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test in another module")
	}
	cmd := exec.Command("go", "test", "-count=1", ".")
	cmd.Dir = "third_party/urfave-cli-v2"
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test in %s: %v\n%s", cmd.Dir, err, out)
	}
	for _, tags := range []string{"urfave_cli_no_docs,urfave_cli_no_template", ""} {
		cmd := exec.Command("go", "vet", "-tags", tags, ".")
		cmd.Dir = "third_party/urfave-cli-v2"
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("go vet -tags %q in %s: %v\n%s", tags, cmd.Dir, err, out)
		}
	}
}
