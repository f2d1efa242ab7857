//go:build urfave_cli_no_template

package cli

import (
	"fmt"
	"io"
)

// printHelpCustom is the default implementation of HelpPrinterCustom in a
// build with the urfave_cli_no_template tag (sstpgo, see help_native.go):
// it writes the default help templates, plus any text after them, without
// text/template, and says so on ErrWriter for any other template.
func printHelpCustom(out io.Writer, templ string, data interface{}, customFuncs map[string]interface{}) {
	if !printHelpNative(out, templ, data, customFuncs) {
		_, _ = fmt.Fprintf(ErrWriter, "CLI TEMPLATE ERROR: built with urfave_cli_no_template, which renders only the default help templates\n")
	}
}
