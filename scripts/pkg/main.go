// Command pkg builds sstpgo's OpenWrt packages without the OpenWrt SDK:
//
//	go run ./scripts/pkg -format ipk -arch mipsel_24kc -bin build/mipsel_24kc/sstpgo -version 0.1.0 -out dist
//
// writes dist/ipk/mipsel_24kc/sstpgo_0.1.0-r1_mipsel_24kc.ipk and the LuCI
// package beside it (-format apk: sstpgo-0.1.0-r1.apk, unsigned apk v3).
// Output is reproducible: mtimes come from SOURCE_DATE_EPOCH (or -mtime).
// "go run ./scripts/pkg -goenv -arch ARCH" prints the GOARCH/GOMIPS/GOARM
// environment that builds sstpgo for ARCH.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sstpgo/sstpgo/scripts/pkg/pkgfmt"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "pkg:", err)
		os.Exit(1)
	}
}

func run() error {
	format := flag.String("format", "ipk", "ipk or apk")
	arch := flag.String("arch", "", "OpenWrt architecture, e.g. mipsel_24kc")
	bin := flag.String("bin", "", "sstpgo binary built for -arch")
	version := flag.String("version", "0.1.0", "upstream version (digits and dots)")
	release := flag.Int("release", 1, "package release number")
	out := flag.String("out", "dist", "output directory")
	owrt := flag.String("openwrt", "openwrt", "the repository's openwrt/ directory")
	epoch := flag.Int64("mtime", sourceDateEpoch(), "mtime of every file (Unix seconds)")
	goenv := flag.Bool("goenv", false, "only print the Go build environment for -arch")
	archs := flag.Bool("archs", false, "only print every OpenWrt architecture sstpgo is packaged for")
	report := flag.String("report", "", "only print the size table of the packages of the architectures in this list, built into -out from binaries in -bins")
	bins := flag.String("bins", "build/openwrt", "with -report: directory holding ARCH/sstpgo")
	flag.Parse()
	if *archs {
		fmt.Println(strings.Join(pkgfmt.Archs, " "))
		return nil
	}
	if *report != "" {
		return sizeReport(strings.Fields(*report), *format, *out, *bins, *version+"-r"+strconv.Itoa(*release))
	}
	if *goenv {
		e, ok := pkgfmt.GoEnv(*arch)
		if !ok {
			return fmt.Errorf("unknown architecture %q", *arch)
		}
		fmt.Println(strings.Join(e, " "))
		return nil
	}
	if *arch == "" || *bin == "" {
		return fmt.Errorf("-arch and -bin are required")
	}
	v := *version + "-r" + strconv.Itoa(*release)
	if !pkgfmt.ValidVersion(v) {
		return fmt.Errorf("version %q is not valid for opkg/apk (want e.g. 1.2.3)", *version)
	}
	b, err := os.ReadFile(*bin)
	if err != nil {
		return err
	}
	mtime := time.Unix(*epoch, 0)
	dir := filepath.Join(*out, *format, *arch)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	m, es, err := pkgfmt.Sstpgo(*owrt, b, v, *arch, mtime)
	if err != nil {
		return err
	}
	if err := write(*format, dir, m, es); err != nil {
		return err
	}
	luciArch := "all"
	if *format == "apk" {
		luciArch = "noarch"
	}
	m, es, err = pkgfmt.Luci(*owrt, v, luciArch, mtime)
	if err != nil {
		return err
	}
	if err := write(*format, dir, m, es); err != nil {
		return err
	}
	ms, ess, err := pkgfmt.LuciI18n(*owrt, v, luciArch, mtime)
	if err != nil {
		return err
	}
	for i := range ms {
		if err := write(*format, dir, ms[i], ess[i]); err != nil {
			return err
		}
	}
	return nil
}

func write(format, dir string, m pkgfmt.Meta, es []pkgfmt.Entry) error {
	var (
		b   []byte
		err error
	)
	switch format {
	case "ipk":
		b, err = pkgfmt.IPK(m, es)
	case "apk":
		b, err = pkgfmt.APK(m, es)
	default:
		return fmt.Errorf("unknown -format %q", format)
	}
	if err != nil {
		return err
	}
	p := filepath.Join(dir, pkgfmt.FileName(format, m))
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return err
	}
	fmt.Println(p)
	return nil
}

// sourceDateEpoch is $SOURCE_DATE_EPOCH, or a fixed date so that builds
// without it are reproducible too.
func sourceDateEpoch() int64 {
	if n, err := strconv.ParseInt(os.Getenv("SOURCE_DATE_EPOCH"), 10, 64); err == nil {
		return n
	}
	return 1704067200 // 2024-01-01T00:00:00Z
}

// Size budget of the smallest routers' architecture (README: 7.5 MiB of
// binary, 2.6 MiB of package).
const (
	limitedArch = "mipsel_24kc"
	maxBinary   = 75 * 1024 * 1024 / 10
	maxPackage  = 26 * 1024 * 1024 / 10
)

// sizeReport prints arch, binary and package sizes, and fails when
// limitedArch is over budget.
func sizeReport(archs []string, format, out, bins, version string) error {
	mib := func(n int64) string { return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20)) }
	fmt.Printf("%-26s %12s %12s\n", "arch", "binary", format)
	var over []string
	for _, a := range archs {
		b, err := os.Stat(filepath.Join(bins, a, "sstpgo"))
		if err != nil {
			return err
		}
		m := pkgfmt.Meta{Name: "sstpgo", Version: version, Arch: a}
		p, err := os.Stat(filepath.Join(out, format, a, pkgfmt.FileName(format, m)))
		if err != nil {
			return err
		}
		fmt.Printf("%-26s %12s %12s\n", a, mib(b.Size()), mib(p.Size()))
		if a == limitedArch && b.Size() > maxBinary {
			over = append(over, fmt.Sprintf("%s binary is %d bytes, limit %d (7.5 MiB)", a, b.Size(), maxBinary))
		}
		if a == limitedArch && p.Size() > maxPackage {
			over = append(over, fmt.Sprintf("%s %s is %d bytes, limit %d (2.6 MiB)", a, format, p.Size(), maxPackage))
		}
	}
	if len(over) > 0 {
		return fmt.Errorf("over budget: %s", strings.Join(over, "; "))
	}
	return nil
}
