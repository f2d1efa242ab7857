package ifup

import (
	"testing"

	"github.com/sstpgo/sstpgo/internal/leakcheck"
)

// TestMain fails the run if goroutines outlive the tests (hook pipe copiers,
// namespace threads, TUN readers).
func TestMain(m *testing.M) { leakcheck.Main(m) }
