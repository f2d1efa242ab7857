package cli

import (
	"bytes"
	"io"
	"testing"
)

// sstpgo: printHelpNative must write byte for byte what the default
// templates write through text/template.
func TestPrintHelpNativeAsTemplate(t *testing.T) {
	newApp := func() *App {
		flags := func() []Flag {
			return []Flag{
				&StringFlag{Name: "server", Aliases: []string{"s"}, Usage: "host[:port]", Category: "Connection"},
				&BoolFlag{Name: "verbose", Usage: "more words"},
				&DurationFlag{Name: "timeout", Value: 5, Usage: "a long usage text that goes on and on, " +
					"well past the line length that anyone would use, so that wrap has work to do"},
				&IntFlag{Name: "hidden", Hidden: true},
			}
		}
		return &App{
			Name:        "demo",
			Usage:       "shows every part of the help",
			Version:     "1.2.3",
			Description: "first line\n\nsecond paragraph\n  indented",
			Authors:     []*Author{{Name: "A", Email: "a@example.com"}, {Name: "B"}},
			Copyright:   "(c) nobody",
			Flags:       flags()[1:],
			Writer:      io.Discard,
			Commands: []*Command{
				{Name: "connect", Aliases: []string{"c", "up"}, Usage: "connect now", Flags: flags(),
					Description: "goes\nthrough", ArgsUsage: "HOST", Action: func(*Context) error { return nil }},
				{Name: "plain", Usage: "no flags", Args: true, Action: func(*Context) error { return nil }},
				{Name: "cat", Category: "extra", Usage: "in a category", UsageText: "cat [x]\nmore",
					Action: func(*Context) error { return nil }},
				{Name: "secret", Hidden: true},
				{Name: "group", Usage: "has subcommands", Subcommands: []*Command{
					{Name: "one", Usage: "first", Flags: flags()[1:2], Action: func(*Context) error { return nil }},
					{Name: "two", Category: "more", Action: func(*Context) error { return nil }},
				}},
			},
		}
	}
	variants := map[string]func(*App){
		"full":       func(*App) {},
		"one author": func(a *App) { a.Authors = a.Authors[:1]; a.HideVersion = true },
		"bare": func(a *App) {
			*a = App{Name: "bare", Writer: io.Discard, Args: true}
		},
		"custom app template": func(a *App) { a.CustomAppHelpTemplate = AppHelpTemplate + "\nEXIT CODES:\n   0\tfine\n" },
		"usage text":          func(a *App) { a.UsageText = "demo [opts]\n  second"; a.ArgsUsage = "X" },
	}
	argv := [][]string{
		{"demo", "--help"}, {"demo"}, {"demo", "help"}, {"demo", "help", "connect"},
		{"demo", "connect", "--help"}, {"demo", "plain", "-h"}, {"demo", "cat", "--help"},
		{"demo", "group", "--help"}, {"demo", "group"}, {"demo", "group", "one", "--help"},
		{"demo", "help", "group"}, {"demo", "group", "help", "one"},
	}
	defer func(p helpPrinterCustom) { HelpPrinterCustom = p }(HelpPrinterCustom)
	run := func(variant func(*App), args []string, printer helpPrinterCustom) string {
		var out bytes.Buffer
		HelpPrinterCustom = func(w io.Writer, templ string, data interface{}, fns map[string]interface{}) {
			printer(&out, templ, data, fns)
		}
		a := newApp()
		variant(a)
		a.ErrWriter = io.Discard
		a.ExitErrHandler = func(*Context, error) {}
		_ = a.Run(args)
		return out.String()
	}
	native := func(w io.Writer, templ string, data interface{}, fns map[string]interface{}) {
		if !printHelpNative(w, templ, data, fns) {
			t.Errorf("printHelpNative refused %T and template %.40q", data, templ)
		}
	}
	for name, v := range variants {
		for _, args := range argv {
			want := run(v, args, printHelpCustom)
			got := run(v, args, native)
			if got != want {
				t.Errorf("%s %q:\n--- text/template\n%s\n--- native\n%s", name, args, want, got)
			}
			if testing.Verbose() {
				t.Logf("%s %q:\n%s", name, args, want)
			}
		}
	}
}

func TestPrintHelpNativeRefusesOtherTemplates(t *testing.T) {
	a := &App{Name: "x"}
	for _, templ := range []string{"{{.Name}}", AppHelpTemplate + "{{.Usage}}", CommandHelpTemplate} {
		var b bytes.Buffer
		if printHelpNative(&b, templ, a, nil) || b.Len() != 0 {
			t.Errorf("printHelpNative(%.30q) rendered %q", templ, b.String())
		}
	}
	if printHelpNative(io.Discard, AppHelpTemplate, 42, nil) {
		t.Error("printHelpNative rendered an int")
	}
}
