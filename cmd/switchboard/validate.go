package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newValidateCommand() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check a config file and its pipelines; print every finding as file:line:col: message",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out, errOut := cmd.OutOrStdout(), cmd.ErrOrStderr()
			l, err := loadConfig(path, "")
			if err != nil {
				fmt.Fprintln(errOut, err)
				return &exitError{code: 1}
			}
			reg, _, err := buildRegistry(l.cfg, newLogger(l.cfg, errOut), nil)
			if err != nil {
				fmt.Fprintln(errOut, err)
				return &exitError{code: 1}
			}
			for _, w := range l.cfg.Warnings {
				fmt.Fprintln(errOut, w.String())
			}
			if _, _, err := policyConfig(l.cfg.Policy); err != nil {
				fmt.Fprintln(errOut, err)
				return &exitError{code: 1}
			}
			ps, diags := loadPipelines(l, reg)
			if len(diags.Errors()) == 0 {
				diags = append(diags, templateFindings(cmd.Context(), l.cfg, ps)...)
			}
			diags.Sort()
			for _, d := range diags {
				fmt.Fprintln(errOut, d.String())
			}
			if len(diags.Errors()) > 0 {
				return &exitError{code: 1}
			}
			fmt.Fprintf(out, "ok: %d pipelines\n", len(ps))
			return nil
		},
	}
	cmd.Flags().StringVar(&path, "config", "", "config file (default: the built-in quickstart)")
	return cmd
}
