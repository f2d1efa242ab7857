package sstp

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Path is the SSTP resource (MS-SSTP 2.2.1 / 3.2.4.1).
const Path = "/sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/"

// Method is the HTTP method SSTP uses on the raw TLS stream (MS-SSTP 3.2.4.1).
const Method = "SSTP_DUPLEX_POST"

// contentLength is the largest uint64: the body never ends (MS-SSTP 3.2.4.1).
const contentLength = "18446744073709551615"

// Bounds on an HTTP header, request or response: an endless or huge header
// fails with ErrHTTPHeaderTooLong instead of growing memory.
const (
	MaxHTTPHeaderBytes = 8 << 10
	MaxHTTPHeaderLines = 100
)

// NewCorrelationID returns a random GUID for SSTPCORRELATIONID (MS-SSTP
// 3.2.4.1), formatted "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" in uppercase,
// with the RFC 4122 version 4 and variant bits. r nil, or failing, means
// crypto/rand.
func NewCorrelationID(r io.Reader) string {
	var u [16]byte
	if r == nil {
		r = rand.Reader
	}
	if _, err := io.ReadFull(r, u[:]); err != nil {
		rand.Read(u[:])
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	const hexdig = "0123456789ABCDEF"
	b := make([]byte, 0, 38)
	b = append(b, '{')
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hexdig[c>>4], hexdig[c&15])
	}
	return string(append(b, '}'))
}

// AppendRequest appends the client's HTTP request (MS-SSTP 3.2.4.1):
//
//	SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1
//	Host: <host>
//	Content-Length: 18446744073709551615
//	SSTPCORRELATIONID: <correlationID>
//
// and the blank line. Control characters in host and correlationID are
// dropped so neither can inject a header line.
func AppendRequest(b []byte, host, correlationID string) []byte {
	b = append(b, Method+" "+Path+" HTTP/1.1\r\nHost: "...)
	b = appendHeaderValue(b, host)
	b = append(b, "\r\nContent-Length: "+contentLength+"\r\nSSTPCORRELATIONID: "...)
	b = appendHeaderValue(b, correlationID)
	return append(b, "\r\n\r\n"...)
}

// appendHeaderValue appends s without control characters.
func appendHeaderValue(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x20 && c != 0x7f {
			b = append(b, c)
		}
	}
	return b
}

// AppendResponse appends the server's HTTP response: for 200 the answer real
// servers give (Content-Length 2^64-1, Server: Microsoft-HTTPAPI/2.0, Date),
// for any other code the same with Content-Length: 0.
func AppendResponse(b []byte, code int, reason string) []byte {
	return AppendResponseWith(b, code, reason)
}

// AppendResponseWith is AppendResponse with extra header lines, each
// "Name: value" without CRLF (e.g. "Location: https://elsewhere/").
func AppendResponseWith(b []byte, code int, reason string, extra ...string) []byte {
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, ' ')
	b = appendHeaderValue(b, reason)
	b = append(b, "\r\nContent-Length: "...)
	if code == 200 {
		b = append(b, contentLength...)
	} else {
		b = append(b, '0')
	}
	b = append(b, "\r\nServer: Microsoft-HTTPAPI/2.0\r\nDate: "...)
	b = time.Now().UTC().AppendFormat(b, "Mon, 02 Jan 2006 15:04:05 GMT")
	for _, h := range extra {
		b = append(b, "\r\n"...)
		b = appendHeaderValue(b, h)
	}
	return append(b, "\r\n\r\n"...)
}

// ReadResponse reads the server's HTTP response header up to and including
// the blank line, and not one byte further: the SSTP packets that follow stay
// in r. A 200 answer is success; any other is an *HTTPError with the status
// line (and Location for a redirect). A status line that is not HTTP/1.x
// gives ErrHTTPMalformed; a header over MaxHTTPHeaderBytes or
// MaxHTTPHeaderLines gives ErrHTTPHeaderTooLong.
func ReadResponse(r *bufio.Reader) error {
	hr := headerReader{r: r}
	line, err := hr.line()
	if err != nil {
		return err
	}
	code, err := parseStatusLine(line)
	if err != nil {
		return err
	}
	herr := &HTTPError{Code: code, Status: string(line)}
	err = hr.fields(func(name, value []byte) {
		if code/100 == 3 && bytes.EqualFold(name, []byte("Location")) {
			herr.Location = string(value)
		}
	})
	if code != 200 {
		// The status is the clearer message even if the header is broken.
		return herr
	}
	return err
}

// parseStatusLine parses "HTTP/1.x SP 3DIGIT [SP reason]" (RFC 9112 4).
func parseStatusLine(line []byte) (int, error) {
	bad := func() (int, error) {
		return 0, fmt.Errorf("sstp: HTTP status line %s: %w", strconv.Quote(string(line)), ErrHTTPMalformed)
	}
	proto, rest, ok := bytes.Cut(line, []byte{' '})
	if !ok || !isHTTP1(proto) || len(rest) < 3 || (len(rest) > 3 && rest[3] != ' ') {
		return bad()
	}
	code := 0
	for _, c := range rest[:3] {
		if c < '0' || c > '9' {
			return bad()
		}
		code = code*10 + int(c-'0')
	}
	if code < 100 {
		return bad()
	}
	return code, nil
}

// isHTTP1 reports whether p is "HTTP/1.0" or "HTTP/1.1" (or another 1.x).
func isHTTP1(p []byte) bool {
	return len(p) == 8 && string(p[:7]) == "HTTP/1." && p[7] >= '0' && p[7] <= '9'
}

// Request is the client's HTTP request as the server sees it.
type Request struct {
	Method        string // "SSTP_DUPLEX_POST" for SSTP
	Path          string // the request target, Path for SSTP
	Proto         string // "HTTP/1.1"
	Host          string
	CorrelationID string // SSTPCORRELATIONID
	ContentLength string // as sent; "18446744073709551615" for SSTP
}

// ReadRequest reads a client's HTTP request header (server side), up to and
// including the blank line and no further. Any well-formed HTTP/1.x request
// is returned; the caller checks Method and Path and answers with
// AppendResponse. Bounds and errors are those of ReadResponse.
func ReadRequest(r *bufio.Reader) (Request, error) {
	hr := headerReader{r: r}
	line, err := hr.line()
	if err != nil {
		return Request{}, err
	}
	var req Request
	if req, err = parseRequestLine(line); err != nil {
		return Request{}, err
	}
	err = hr.fields(func(name, value []byte) {
		switch {
		case bytes.EqualFold(name, []byte("Host")):
			req.Host = string(value)
		case bytes.EqualFold(name, []byte("SSTPCORRELATIONID")):
			req.CorrelationID = string(value)
		case bytes.EqualFold(name, []byte("Content-Length")):
			req.ContentLength = string(value)
		}
	})
	return req, err
}

// parseRequestLine parses "method SP target SP HTTP/1.x" (RFC 9112 3).
func parseRequestLine(line []byte) (Request, error) {
	method, rest, ok1 := bytes.Cut(line, []byte{' '})
	target, proto, ok2 := bytes.Cut(rest, []byte{' '})
	if !ok1 || !ok2 || len(method) == 0 || len(target) == 0 || !isHTTP1(proto) || !isToken(method) {
		return Request{}, fmt.Errorf("sstp: HTTP request line %s: %w", strconv.Quote(string(line)), ErrHTTPMalformed)
	}
	return Request{Method: string(method), Path: string(target), Proto: string(proto)}, nil
}

// headerReader reads header lines with the bounds MaxHTTPHeaderBytes and
// MaxHTTPHeaderLines; bufio.Reader.ReadSlice never reads past a '\n'.
type headerReader struct {
	r     *bufio.Reader
	bytes int
	lines int
}

// line returns the next line without its line ending. RFC 9112 2.2 lets a
// recipient accept a bare LF as the end of a line; we do. The returned slice
// is valid until the next call.
func (h *headerReader) line() ([]byte, error) {
	if h.lines >= MaxHTTPHeaderLines {
		return nil, fmt.Errorf("sstp: HTTP header over %d lines: %w", MaxHTTPHeaderLines, ErrHTTPHeaderTooLong)
	}
	h.lines++
	line, err := h.r.ReadSlice('\n')
	h.bytes += len(line)
	if h.bytes > MaxHTTPHeaderBytes {
		return nil, fmt.Errorf("sstp: HTTP header over %d bytes: %w", MaxHTTPHeaderBytes, ErrHTTPHeaderTooLong)
	}
	if errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("sstp: HTTP header line over %d bytes: %w", h.r.Size(), ErrHTTPHeaderTooLong)
	}
	if err == io.EOF {
		return nil, fmt.Errorf("sstp: stream ended inside the HTTP header (%d bytes): %w: %w", h.bytes, ErrHTTPMalformed, io.ErrUnexpectedEOF)
	}
	if err != nil {
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// fields reads header field lines up to the blank line and calls f with each
// name and value (value trimmed of spaces and tabs), RFC 9112 5.
func (h *headerReader) fields(f func(name, value []byte)) error {
	for {
		line, err := h.line()
		if err != nil {
			return err
		}
		if len(line) == 0 {
			return nil
		}
		name, value, ok := bytes.Cut(line, []byte{':'})
		// No whitespace before the colon and no obsolete line folding (RFC 9112 5.1, 5.2).
		if !ok || !isToken(name) {
			return fmt.Errorf("sstp: HTTP header line %s: %w", strconv.Quote(string(line)), ErrHTTPMalformed)
		}
		f(name, bytes.Trim(value, " \t"))
	}
}

// isToken reports whether b is a non-empty RFC 9110 5.6.2 token.
func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c <= ' ' || c >= 0x7f || bytes.IndexByte([]byte(`"(),/:;<=>?@[\]{}`), c) >= 0 {
			return false
		}
	}
	return true
}
