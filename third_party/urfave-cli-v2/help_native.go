package cli

// sstpgo: the default help templates written out in Go. A binary that
// executes a text/template links reflect's MethodByName, and then the Go
// linker keeps every exported method of every type that reaches an
// interface: 1.2 MB of a 7.5 MB router binary. Built with the
// urfave_cli_no_template tag, printHelpCustom uses this instead; in every
// other build it only serves the test that compares the two.

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// The default templates as the package defines them, before a program can
// assign its own.
var (
	nativeAppHelp        = AppHelpTemplate
	nativeCommandHelp    = CommandHelpTemplate
	nativeSubcommandHelp = SubcommandHelpTemplate
)

// helpData holds what the default templates read from an *App or *Command;
// the lists come from src when the template would ask for them, since
// (*Command).VisibleCategories panics on a command without subcommands.
type helpData struct {
	helpName, usage, usageText, argsUsage, description, category string
	version, copyright                                           string
	args, hideVersion, hasCommands                               bool
	authors                                                      []*Author
	src                                                          helpSource
}

// helpSource is what *App and *Command have in common.
type helpSource interface {
	VisibleCommands() []*Command
	VisibleCategories() []CommandCategory
	VisibleFlagCategories() []VisibleFlagCategory
	VisibleFlags() []Flag
}

// printHelpNative writes what text/template writes for one of the default
// templates, optionally followed by text without actions (an
// AppHelpTemplate + "\n" + "MORE:..." kind of custom template), applied to
// the *App or *Command the package passes it. It returns false, having
// written nothing, for any other template or data.
func printHelpNative(out io.Writer, templ string, data interface{}, customFuncs map[string]interface{}) bool {
	var d helpData
	var base string
	switch v := data.(type) {
	case *App:
		base = nativeAppHelp
		d = helpData{helpName: v.HelpName, usage: v.Usage, usageText: v.UsageText,
			argsUsage: v.ArgsUsage, description: v.Description, version: v.Version,
			copyright: v.Copyright, args: v.Args, hideVersion: v.HideVersion,
			hasCommands: len(v.Commands) > 0, authors: v.Authors, src: v}
	case *Command:
		base = nativeCommandHelp
		if strings.HasPrefix(templ, nativeSubcommandHelp) {
			base = nativeSubcommandHelp
		}
		d = helpData{helpName: v.HelpName, usage: v.Usage, usageText: v.UsageText,
			argsUsage: v.ArgsUsage, description: v.Description, category: v.Category,
			args: v.Args, src: v}
	default:
		return false
	}
	rest, ok := strings.CutPrefix(templ, base)
	if !ok || strings.Contains(rest, "{{") {
		return false
	}
	wrapAt := 10000 // printHelpCustom's maxLineLength
	if f, ok := customFuncs["wrapAt"].(func() int); ok {
		wrapAt = f()
	}
	var b strings.Builder
	done := d.writeOrStop(&b, base, wrapAt)
	w := tabwriter.NewWriter(out, 1, 8, 2, ' ', 0) // as printHelpCustom's
	if !done {
		// A method the template calls panicked: text/template stops with
		// an error there, and printHelpCustom does not flush.
		_, _ = io.WriteString(w, b.String())
		return true
	}
	b.WriteString(rest)
	_, _ = io.WriteString(w, b.String())
	_ = w.Flush()
	return true
}

// writeOrStop is write, stopped where a method it calls panics (as
// (*Command).VisibleCategories does for "app help cmd" when cmd has
// subcommands): text/template turns such a panic into an error.
func (d *helpData) writeOrStop(b *strings.Builder, base string, wrapAt int) (done bool) {
	defer func() {
		if recover() != nil {
			done = false
		}
	}()
	d.write(b, base, wrapAt)
	return true
}

// write renders AppHelpTemplate, CommandHelpTemplate or
// SubcommandHelpTemplate (template.go), section by section.
func (d *helpData) write(b *strings.Builder, base string, wrapAt int) {
	app := base == nativeAppHelp
	b.WriteString("NAME:\n   ")
	b.WriteString(wrap(d.helpName, 3, wrapAt))
	if d.usage != "" {
		b.WriteString(" - " + wrap(d.usage, len(d.helpName)+6, wrapAt))
	}
	b.WriteString("\n\nUSAGE:\n   ")
	switch {
	case d.usageText != "":
		b.WriteString(wrap(d.usageText, 3, wrapAt))
	case app:
		b.WriteString(d.helpName + " ")
		if len(d.src.VisibleFlags()) > 0 {
			b.WriteString("[global options]")
		}
		if d.hasCommands {
			b.WriteString(" command [command options]")
		}
		d.writeArgs(b)
	default:
		b.WriteString(d.helpName)
		if len(d.src.VisibleFlags()) > 0 {
			b.WriteString(" [command options]")
		}
		d.writeArgs(b)
	}
	if app && d.version != "" && !d.hideVersion {
		b.WriteString("\n\nVERSION:\n   " + d.version)
	}
	if !app && d.category != "" {
		b.WriteString("\n\nCATEGORY:\n   " + d.category)
	}
	if d.description != "" {
		b.WriteString("\n\nDESCRIPTION:\n   " + wrap(d.description, 3, wrapAt))
	}
	if app && len(d.authors) > 0 {
		b.WriteString("\n\nAUTHOR")
		if len(d.authors) != 1 {
			b.WriteString("S")
		}
		b.WriteString(":\n   ")
		for i, a := range d.authors {
			if i > 0 {
				b.WriteString("\n   ")
			}
			fmt.Fprint(b, a)
		}
	}
	if base != nativeCommandHelp && len(d.src.VisibleCommands()) > 0 {
		b.WriteString("\n\nCOMMANDS:")
		writeCommandCategories(b, d.src.VisibleCategories(), wrapAt)
	}
	options := "\n\nOPTIONS:"
	if app {
		options = "\n\nGLOBAL OPTIONS:"
	}
	if fc := d.src.VisibleFlagCategories(); len(fc) > 0 {
		b.WriteString(options)
		writeFlagCategories(b, fc)
	} else if flags := d.src.VisibleFlags(); len(flags) > 0 {
		b.WriteString(options)
		for _, f := range flags {
			b.WriteString("\n   ")
			b.WriteString(wrap(f.String(), 6, wrapAt))
		}
	}
	if app && d.copyright != "" {
		b.WriteString("\n\nCOPYRIGHT:\n   " + wrap(d.copyright, 3, wrapAt))
	}
	b.WriteString("\n")
}

func (d *helpData) writeArgs(b *strings.Builder) {
	if d.argsUsage != "" {
		b.WriteString(" " + d.argsUsage)
	} else if d.args {
		b.WriteString(" [arguments...]")
	}
}

// writeCommandCategories is visibleCommandCategoryTemplate and, for the
// unnamed category, visibleCommandTemplate.
func writeCommandCategories(b *strings.Builder, categories []CommandCategory, wrapAt int) {
	for _, c := range categories {
		if c.Name() != "" {
			b.WriteString("\n   " + c.Name() + ":")
			for _, cmd := range c.VisibleCommands() {
				b.WriteString("\n     " + strings.Join(cmd.Names(), ", ") + "\t" + cmd.Usage)
			}
			continue
		}
		cv := offsetCommands(c.VisibleCommands(), 5)
		for _, cmd := range c.VisibleCommands() {
			s := strings.Join(cmd.Names(), ", ")
			b.WriteString("\n   " + s + indent(cv-(len(s)+3), "") + wrap(cmd.Usage, cv, wrapAt))
		}
	}
}

// writeFlagCategories is visibleFlagCategoryTemplate.
func writeFlagCategories(b *strings.Builder, categories []VisibleFlagCategory) {
	for _, c := range categories {
		b.WriteString("\n   ")
		if c.Name() != "" {
			b.WriteString(c.Name() + "\n\n   ")
		}
		flags := c.Flags()
		for i, f := range flags {
			fmt.Fprint(b, f)
			if i == len(flags)-1 {
				b.WriteString("\n")
			} else {
				b.WriteString("\n   ")
			}
		}
	}
}
