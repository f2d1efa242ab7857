package sstp

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
)

func TestAppendRequest(t *testing.T) {
	// MS-SSTP 3.2.4.1; header names and case as Windows sends them.
	want := "SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\n" +
		"Host: vpn.example.com\r\n" +
		"Content-Length: 18446744073709551615\r\n" +
		"SSTPCORRELATIONID: {01234567-89AB-4DEF-8123-456789ABCDEF}\r\n\r\n"
	got := AppendRequest(nil, "vpn.example.com", "{01234567-89AB-4DEF-8123-456789ABCDEF}")
	if string(got) != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	// No header injection through the host name.
	got = AppendRequest([]byte("x"), "evil\r\nX-Injected: 1", "id")
	if bytes.Contains(got, []byte("\r\nX-Injected")) || got[0] != 'x' {
		t.Fatalf("control characters not dropped: %q", got)
	}
}

func TestNewCorrelationID(t *testing.T) {
	id := NewCorrelationID(bytes.NewReader(seq(0, 16)))
	if id != "{00010203-0405-4607-8809-0A0B0C0D0E0F}" {
		t.Fatalf("got %s", id)
	}
	re := regexp.MustCompile(`^\{[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}\}$`)
	a, b := NewCorrelationID(nil), NewCorrelationID(strings.NewReader("short"))
	if !re.MatchString(a) || !re.MatchString(b) || a == b {
		t.Fatalf("random IDs %s %s", a, b)
	}
}

func TestReadResponse(t *testing.T) {
	const sstp = "\x10\x01\x00\x08\x00\x08\x00\x00"
	tests := []struct {
		name     string
		in       string
		err      error
		code     int
		status   string
		location string
	}{
		{
			name: "Windows 200",
			in:   "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\nServer: Microsoft-HTTPAPI/2.0\r\nDate: Thu, 09 Nov 2023 10:00:00 GMT\r\n\r\n",
		},
		{name: "200 no reason", in: "HTTP/1.1 200\r\n\r\n"},
		{name: "HTTP/1.0 200", in: "HTTP/1.0 200 OK\r\n\r\n"},
		{name: "bare LF accepted", in: "HTTP/1.1 200 OK\nServer: x\n\n"},
		{
			name: "302 with Location", in: "HTTP/1.1 302 Found\r\nLocation: https://portal.example.com/login\r\nContent-Length: 0\r\n\r\n",
			code: 302, status: "HTTP/1.1 302 Found", location: "https://portal.example.com/login",
		},
		{name: "401", in: "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic\r\n\r\n", code: 401, status: "HTTP/1.1 401 Unauthorized"},
		{name: "500", in: "HTTP/1.1 500 Internal Server Error\r\n\r\n", code: 500, status: "HTTP/1.1 500 Internal Server Error"},
		{name: "404 Location ignored", in: "HTTP/1.1 404 Not Found\r\nLocation: /x\r\n\r\n", code: 404, status: "HTTP/1.1 404 Not Found"},
		{name: "500 broken header still reports status", in: "HTTP/1.1 500 Oops\r\nbroken\r\n\r\n", code: 500, status: "HTTP/1.1 500 Oops"},
		{name: "no HTTP at all", in: "", err: io.ErrUnexpectedEOF},
		{name: "SSTP bytes instead of HTTP", in: sstp + "\r\n", err: ErrHTTPMalformed},
		{name: "HTTP/2", in: "HTTP/2 200 OK\r\n\r\n", err: ErrHTTPMalformed},
		{name: "no code", in: "HTTP/1.1\r\n\r\n", err: ErrHTTPMalformed},
		{name: "two-digit code", in: "HTTP/1.1 20 OK\r\n\r\n", err: ErrHTTPMalformed},
		{name: "four-digit code", in: "HTTP/1.1 2000 OK\r\n\r\n", err: ErrHTTPMalformed},
		{name: "letters in code", in: "HTTP/1.1 2x0 OK\r\n\r\n", err: ErrHTTPMalformed},
		{name: "header without colon", in: "HTTP/1.1 200 OK\r\nServer Microsoft\r\n\r\n", err: ErrHTTPMalformed},
		{name: "space before colon", in: "HTTP/1.1 200 OK\r\nServer : x\r\n\r\n", err: ErrHTTPMalformed},
		{name: "obsolete line folding", in: "HTTP/1.1 200 OK\r\nServer: x\r\n  y\r\n\r\n", err: ErrHTTPMalformed},
		{name: "header without CRLF (EOF)", in: "HTTP/1.1 200 OK\r\nServer: x", err: io.ErrUnexpectedEOF},
		{name: "no blank line", in: "HTTP/1.1 200 OK\r\nServer: x\r\n", err: ErrHTTPMalformed},
		{name: "endless header", in: "HTTP/1.1 200 OK\r\n" + strings.Repeat("X-A: b\r\n", 5000), err: ErrHTTPHeaderTooLong},
		{name: "too many lines", in: "HTTP/1.1 200 OK\r\n" + strings.Repeat("A:\r\n", 100) + "\r\n", err: ErrHTTPHeaderTooLong},
		{name: "endless line", in: "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", 20000), err: ErrHTTPHeaderTooLong},
		{name: "endless status line", in: strings.Repeat("H", 20000), err: ErrHTTPHeaderTooLong},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := bufio.NewReader(strings.NewReader(tc.in + sstp))
			err := ReadResponse(r)
			var he *HTTPError
			if tc.code != 0 {
				if !errors.As(err, &he) || he.Code != tc.code || he.Status != tc.status || he.Location != tc.location {
					t.Fatalf("err = %#v, want HTTPError %d %q %q", err, tc.code, tc.status, tc.location)
				}
				if !strings.Contains(err.Error(), `"`+tc.status+`"`) {
					t.Fatalf("Error() %q does not quote the status line", err)
				}
				return
			}
			if !errors.Is(err, tc.err) || (err == nil) != (tc.err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if err == nil {
				// Not one byte past the blank line: the SSTP packet is still there.
				rest, _ := io.ReadAll(r)
				if string(rest) != sstp {
					t.Fatalf("left %q, want the SSTP packet", rest)
				}
			}
		})
	}
}

func TestReadRequest(t *testing.T) {
	id := "{01234567-89AB-4DEF-8123-456789ABCDEF}"
	tests := []struct {
		name string
		in   string
		want Request
		err  error
	}{
		{
			name: "our request",
			in:   string(AppendRequest(nil, "vpn.example.com", id)),
			want: Request{Method: Method, Path: Path, Proto: "HTTP/1.1", Host: "vpn.example.com", CorrelationID: id, ContentLength: "18446744073709551615"},
		},
		{
			name: "header names in any case",
			in:   "SSTP_DUPLEX_POST " + Path + " HTTP/1.1\r\nhost: h\r\nsstpcorrelationid: c\r\ncontent-length: 0\r\nUser-Agent: x\r\n\r\n",
			want: Request{Method: Method, Path: Path, Proto: "HTTP/1.1", Host: "h", CorrelationID: "c", ContentLength: "0"},
		},
		{
			name: "browser GET",
			in:   "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
			want: Request{Method: "GET", Path: "/", Proto: "HTTP/1.1", Host: "h"},
		},
		{name: "TLS garbage", in: "\x16\x03\x01\x02\x00\r\n\r\n", err: ErrHTTPMalformed},
		{name: "no proto", in: "SSTP_DUPLEX_POST /\r\n\r\n", err: ErrHTTPMalformed},
		{name: "HTTP/2.0", in: "SSTP_DUPLEX_POST / HTTP/2.0\r\n\r\n", err: ErrHTTPMalformed},
		{name: "empty method", in: " / HTTP/1.1\r\n\r\n", err: ErrHTTPMalformed},
		{name: "bad header", in: "GET / HTTP/1.1\r\nnocolon\r\n\r\n", err: ErrHTTPMalformed},
		{name: "EOF", in: "GET / HTTP/1.1\r\nHost: h\r\n", err: io.ErrUnexpectedEOF},
		{name: "endless header", in: "GET / HTTP/1.1\r\n" + strings.Repeat("A: b\r\n", 3000), err: ErrHTTPHeaderTooLong},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := bufio.NewReader(strings.NewReader(tc.in + "\x10\x01"))
			got, err := ReadRequest(r)
			if !errors.Is(err, tc.err) || (err == nil) != (tc.err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			if got != tc.want {
				t.Fatalf("got %+v\nwant %+v", got, tc.want)
			}
			if rest, _ := io.ReadAll(r); string(rest) != "\x10\x01" {
				t.Fatalf("read past the header: left %q", rest)
			}
		})
	}
}

func TestAppendResponse(t *testing.T) {
	re := regexp.MustCompile("^HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\nServer: Microsoft-HTTPAPI/2.0\r\nDate: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT\r\n\r\n$")
	got := AppendResponse(nil, 200, "OK")
	if !re.Match(got) {
		t.Fatalf("got %q", got)
	}
	if err := ReadResponse(bufio.NewReader(bytes.NewReader(got))); err != nil {
		t.Fatalf("ReadResponse of our own 200: %v", err)
	}
	got = AppendResponseWith(nil, 302, "Found", "Location: https://elsewhere/")
	var he *HTTPError
	if err := ReadResponse(bufio.NewReader(bytes.NewReader(got))); !errors.As(err, &he) || he.Code != 302 || he.Location != "https://elsewhere/" {
		t.Fatalf("302 round trip: %v", err)
	}
	if !bytes.Contains(got, []byte("Content-Length: 0\r\n")) {
		t.Fatalf("non-200 without Content-Length 0: %q", got)
	}
}

func FuzzReadResponse(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\nServer: Microsoft-HTTPAPI/2.0\r\n\r\n\x10\x01"))
	f.Add([]byte("HTTP/1.1 302 Found\r\nLocation: /x\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 200 OK\nA:b\n\n"))
	f.Add([]byte("HTTP/1.1 2x0\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bufio.NewReader(bytes.NewReader(in))
		err := ReadResponse(r)
		if err != nil {
			return
		}
		rest, _ := io.ReadAll(r)
		head := in[:len(in)-len(rest)]
		if !bytes.HasSuffix(head, []byte("\n\n")) && !bytes.HasSuffix(head, []byte("\n\r\n")) || len(head) > MaxHTTPHeaderBytes {
			t.Fatalf("accepted header %q does not end in a blank line", head)
		}
	})
}

func FuzzReadRequest(f *testing.F) {
	f.Add(AppendRequest(nil, "vpn.example.com", "{01234567-89AB-4DEF-8123-456789ABCDEF}"))
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"))
	f.Add([]byte("GET / HTTP/1.1\r\nHost\r\n\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bufio.NewReader(bytes.NewReader(in))
		req, err := ReadRequest(r)
		if err != nil {
			return
		}
		if req.Method == "" || req.Path == "" || !strings.HasPrefix(req.Proto, "HTTP/1.") {
			t.Fatalf("accepted %+v", req)
		}
		rest, _ := io.ReadAll(r)
		if head := in[:len(in)-len(rest)]; len(head) > MaxHTTPHeaderBytes {
			t.Fatalf("header of %d bytes accepted", len(head))
		}
	})
}
