package openwrt_test

import (
	"github.com/sstpgo/sstpgo/sstp/sstptest"

	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sstpgo/sstpgo/scripts/pkg/pkgfmt"
)

// qemuUser is the qemu-user emulator for each GOARCH ("" = runs natively
// on the x86_64 test machine).
var qemuUser = map[string]string{
	"mips":     "qemu-mips-static",
	"mipsle":   "qemu-mipsel-static",
	"mips64":   "qemu-mips64-static",
	"mips64le": "qemu-mips64el-static",
	"arm":      "qemu-arm-static",
	"arm64":    "qemu-aarch64-static",
	"riscv64":  "qemu-riscv64-static",
	"loong64":  "qemu-loongarch64-static",
	"386":      "",
	"amd64":    "",
}

// TestPackagedBinaryRuns builds the real sstpgo once for every distinct Go
// target of the packaged architectures, packages it as .ipk and .apk for
// the first architecture using it, takes the binary back out of each
// package and runs "sstpgo version" under qemu-user.
func TestPackagedBinaryRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-builds every architecture")
	}
	done := map[string]bool{}
	for _, arch := range pkgfmt.Archs {
		env, ok := pkgfmt.GoEnv(arch)
		if !ok {
			t.Fatalf("no Go target for %s", arch)
		}
		key := strings.Join(env, " ")
		if done[key] {
			continue
		}
		done[key] = true
		t.Run(arch, func(t *testing.T) {
			goarch := ""
			for _, e := range env {
				if v, ok := strings.CutPrefix(e, "GOARCH="); ok {
					goarch = v
				}
			}
			var runner []string
			q, known := qemuUser[goarch]
			if !known {
				t.Fatalf("no emulator known for GOARCH %s", goarch)
			}
			if q != "" {
				p, err := exec.LookPath(q)
				if err != nil {
					t.Skipf("%s not installed (apt-get install qemu-user-static)", q)
				}
				runner = append(runner, p)
			}
			bin := filepath.Join(t.TempDir(), "sstpgo")
			args := append([]string{"build"}, routerGoFlags(t)...)
			build := exec.Command("go", append(args, "-ldflags", "-s -w -X main.version=1.2.3", "-o", bin, "..")...)
			build.Env = append(os.Environ(), env...)
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("go build for %s: %v\n%s", arch, err, out)
			}
			b, err := os.ReadFile(bin)
			if err != nil {
				t.Fatal(err)
			}
			ipk, _ := buildPackages(t, "ipk", arch, b)
			f, _, data := openIPK(t, ipk)
			if f["Architecture"] != arch {
				t.Errorf("ipk Architecture %q", f["Architecture"])
			}
			apk, _ := buildPackages(t, "apk", arch, b)
			blocks := openAPK(t, apk)
			_, info, _, files, _ := walkAPK(t, blocks)
			if info["arch"] != arch {
				t.Errorf("apk arch %q", info["arch"])
			}
			fromAPK := apkContents(t, blocks, files)["usr/sbin/sstpgo"]
			m := member(data, "./usr/sbin/sstpgo")
			if m == nil || !bytes.Equal(m.data, b) || !bytes.Equal(fromAPK, b) {
				t.Fatal("packaged binary differs from the one built")
			}
			for name, content := range map[string][]byte{"ipk": m.data, "apk": fromAPK} {
				p := filepath.Join(t.TempDir(), "sstpgo")
				if err := os.WriteFile(p, content, 0o755); err != nil {
					t.Fatal(err)
				}
				argv := append(append([]string(nil), runner...), p, "version")
				out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
				if err != nil || !strings.HasPrefix(string(out), "sstpgo 1.2.3 ") {
					t.Errorf("%s: %s version: %v\n%s", name, strings.Join(argv, " "), err, out)
				}
				if arch == "mips_24kc" || arch == "mips_4kec" {
					connectBigEndian(t, append(append([]string(nil), runner...), p))
				}
			}
		})
	}
}

// routerGoFlags are the release build flags from scripts/goflags.sh, so the
// packages tested are built exactly as shipped.
func routerGoFlags(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("../scripts/goflags.sh").Output()
	if err != nil {
		t.Fatalf("scripts/goflags.sh: %v", err)
	}
	return strings.Fields(string(out))
}

// connectBigEndian runs the packaged big-endian MIPS binary's full connect
// (TLS, SSTP, PPP MS-CHAPv2 with the crypto binding checked the Windows way,
// IPCP) against the in-repo server, through `sstpgo diagnose`, which needs
// no TUN device.
func connectBigEndian(t *testing.T, argv []string) {
	t.Helper()
	srv := sstptest.NewServer(sstptest.Options{Personality: sstptest.RRAS, Users: map[string]string{"alice": "s3cret"}})
	defer srv.Close()
	dir := t.TempDir()
	ca, pw := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "pw")
	os.WriteFile(ca, srv.CertPEM(), 0o644)
	os.WriteFile(pw, []byte("s3cret\n"), 0o600)
	argv = append(argv, "diagnose", "--server", srv.Addr(), "--sni", "localhost", "--ca-cert", ca,
		"--user", "alice", "--password-file", pw)
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "all steps passed") {
		t.Fatalf("big-endian connect: %v\n%s", err, out)
	}
	got := srv.Sessions()
	if len(got) == 0 || !got[0].Up || got[0].BindingErr != nil {
		t.Errorf("server side: %+v", got)
	}
	t.Logf("mips (big-endian) connect:\n%s", out)
}
