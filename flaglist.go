package main

import "strings"

// stringList is a repeatable string flag (--route A --route B). It stands in
// for cli.StringSliceFlag, whose JSON (de)serialisation links encoding/json
// (~100 KB of mipsle) into the router binary.
type stringList []string

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

func (l *stringList) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(*l, ",")
}
