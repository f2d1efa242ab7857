package pkgfmt

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"errors"
	"io"
	"os/exec"
)

// Go's compress/flate at level 9 is about 1.6% larger than zlib's on the
// sstpgo binary (2,579,382 against 2,539,650 bytes for mipsel_24kc), so the
// packages are compressed by gzip -9 when it is installed, and by Go's
// deflate otherwise. Both formats take the stream as gzip writes it: .ipk
// members are gzip files, an .apk is raw deflate (the gzip framing is cut).

// gzipPath is the gzip found in PATH ("" for none); a variable for tests.
var gzipPath, _ = exec.LookPath("gzip")

// gzipBest returns p as a gzip file with no name and no timestamp.
func gzipBest(p []byte) ([]byte, error) {
	if gzipPath != "" {
		cmd := exec.Command(gzipPath, "-9", "-n", "-c")
		cmd.Stdin = bytes.NewReader(p)
		out, err := cmd.Output()
		if err == nil && checkGzip(out, p) == nil {
			return out, nil
		}
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(p); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// deflateBest returns p as a raw deflate stream (RFC 1951).
func deflateBest(p []byte) ([]byte, error) {
	gz, err := gzipBest(p)
	if err != nil {
		return nil, err
	}
	// RFC 1952: a 10-byte header (no optional fields, as gzip -n and Go
	// write it), the deflate stream, CRC-32 and size
	if len(gz) < 18 || gz[0] != 0x1f || gz[1] != 0x8b || gz[2] != 8 || gz[3] != 0 {
		return nil, errors.New("pkgfmt: unexpected gzip header")
	}
	raw := gz[10 : len(gz)-8]
	got, err := io.ReadAll(flate.NewReader(bytes.NewReader(raw)))
	if err != nil || !bytes.Equal(got, p) {
		return nil, errors.New("pkgfmt: deflate stream does not round-trip")
	}
	return raw, nil
}

// checkGzip verifies that gz decompresses to p.
func checkGzip(gz, p []byte) error {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return err
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, p) {
		return errors.New("pkgfmt: gzip output does not round-trip")
	}
	return nil
}
