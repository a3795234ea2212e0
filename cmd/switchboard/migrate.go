package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/switchboardhq/switchboard/store"
)

func newMigrateCommand() *cobra.Command {
	var path, data string
	var down bool
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply the schema migrations (or roll them all back with --down)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := loadConfig(path, data)
			if err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), err)
				return &exitError{code: 1}
			}
			cfg := l.cfg
			st, err := store.Open(cmd.Context(), store.Options{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN, DataDir: cfg.DataDir})
			if err != nil {
				return err
			}
			defer func() { _ = st.Close() }()
			if down {
				err = st.MigrateDown(cmd.Context())
			} else {
				err = st.Migrate(cmd.Context())
			}
			if err != nil {
				return err
			}
			v, err := st.MigrationVersion(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s schema at version %d\n", st.Dialect(), v)
			return nil
		},
	}
	cmd.Flags().StringVar(&path, "config", "", "config file (default: the built-in quickstart)")
	cmd.Flags().StringVar(&data, "data", "", "data folder (overrides data_dir)")
	cmd.Flags().BoolVar(&down, "down", false, "roll back every migration (drops the hub's tables)")
	return cmd
}
