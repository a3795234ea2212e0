package main

import (
	"github.com/spf13/cobra"
)

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "switchboard",
		Short:         "Switchboard joins messaging channels with shops, CRMs and helpdesks through declarative pipelines.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServeCommand(), newValidateCommand(), newMigrateCommand(), newReplayCommand(), newVersionCommand())
	return root
}
