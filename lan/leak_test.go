package lan

import (
	"testing"

	"github.com/sstpgo/sstpgo/internal/leakcheck"
)

// No goroutine may outlive the tests.
func TestMain(m *testing.M) { leakcheck.Main(m) }
