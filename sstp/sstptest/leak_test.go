package sstptest

import (
	"testing"

	"github.com/sstpgo/sstpgo/internal/leakcheck"
)

// Every session and reader goroutine must be gone when the tests end.
func TestMain(m *testing.M) { leakcheck.Main(m) }
