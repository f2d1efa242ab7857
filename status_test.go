package main

import (
	"encoding/json"
	"testing"

	"github.com/sstpgo/sstpgo/sstp"
)

// The status file carries the goroutine count, which scripts/soak.sh watches for leaks.
func TestStatusJSONHasGoroutines(t *testing.T) {
	d := newDaemon(&options{}, sstp.Config{}, nil)
	var m map[string]any
	if err := json.Unmarshal(d.statusJSON(), &m); err != nil {
		t.Fatalf("%v: %s", err, d.statusJSON())
	}
	if n, ok := m["goroutines"].(float64); !ok || n < 1 {
		t.Errorf("goroutines = %v, want a positive number", m["goroutines"])
	}
}
