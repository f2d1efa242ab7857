package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// Under sudo, PATH is secure_path, without /usr/local/go/bin: the scripts
// (dash for the demo, bash -euo pipefail for the tests) still find Go.
func TestScriptsFindGoUnderSudo(t *testing.T) {
	goBin := filepath.Join(runtime.GOROOT(), "bin")
	if !slices.Contains([]string{"/usr/local/go/bin", "/usr/lib/go/bin"}, goBin) {
		t.Skipf("this Go is in %s, where sudo users would not have it either", goBin)
	}
	const securePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	for _, sh := range [][]string{{"sh", "-e"}, {"bash", "-euo", "pipefail"}} {
		if _, err := exec.LookPath(sh[0]); err != nil {
			continue
		}
		cmd := exec.Command(sh[0], append(sh[1:], "-c", ". scripts/env.sh; need_go; command -v go")...)
		cmd.Env = []string{"PATH=" + securePath, "HOME=" + t.TempDir()}
		out, err := cmd.CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != filepath.Join(goBin, "go") {
			t.Errorf("%s: %v: %q, want %s/go", strings.Join(sh, " "), err, out, goBin)
		}
	}
}

// version.sh gives v0.0.0-N-gHASH before the first v* tag, git describe's
// form after it.
func TestVersionFromGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@t"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	os.MkdirAll(filepath.Join(dir, "scripts"), 0o755)
	script, _ := os.ReadFile("scripts/version.sh")
	os.WriteFile(filepath.Join(dir, "scripts/version.sh"), script, 0o755)
	git("add", ".")
	git("commit", "-qm", "one")
	git("commit", "-q", "--allow-empty", "-m", "two")
	version := func() string {
		out, err := exec.Command(filepath.Join(dir, "scripts/version.sh")).Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(out))
	}
	hash := git("rev-parse", "--short=12", "HEAD")
	if got, want := version(), "v0.0.0-2-g"+hash; got != want {
		t.Errorf("no tag: %q, want %q", got, want)
	}
	git("tag", "-a", "v0.1.0", "-m", "v0.1.0")
	if got := version(); got != "v0.1.0" {
		t.Errorf("at the tag: %q", got)
	}
	git("commit", "-q", "--allow-empty", "-m", "three")
	if got, want := version(), "v0.1.0-1-g"+git("rev-parse", "--short=12", "HEAD"); got != want {
		t.Errorf("after the tag: %q, want %q", got, want)
	}
}
