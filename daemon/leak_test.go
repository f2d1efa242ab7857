package daemon

import (
	"testing"

	"github.com/sstpgo/sstpgo/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }
