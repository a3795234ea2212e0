package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/switchboardhq/switchboard/store"
)

func newReplayCommand() *cobra.Command {
	var path, data string
	var all bool
	cmd := &cobra.Command{
		Use:   "replay [dead-letter-id ...]",
		Short: "Put dead letters back to work; a running hub picks them up within one sweep interval",
		Long: "Marks dead letters replayed and their steps pending in the store. The running hub's\n" +
			"recovery sweep re-publishes them (within engine.sweep_interval), whatever the bus.\n" +
			"To replay at once through a running hub, use POST /v1/dead-letters/{id}/replay.",
		RunE: func(cmd *cobra.Command, args []string) error {
			if all == (len(args) > 0) {
				return errors.New("name dead-letter ids, or pass --all")
			}
			l, err := loadConfig(path, data)
			if err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), err)
				return &exitError{code: 1}
			}
			ctx := cmd.Context()
			st, err := openStore(ctx, l.cfg, newLogger(l.cfg, cmd.ErrOrStderr()))
			if err != nil {
				return err
			}
			defer func() { _ = st.Close() }()
			ids := args
			if all {
				for cursor := ""; ; {
					page, next, err := st.ListDeadLetters(ctx, store.DeadLetterFilter{Status: store.DeadLetterDead, Page: store.Page{Limit: 500, Cursor: cursor}})
					if err != nil {
						return err
					}
					for _, d := range page {
						ids = append(ids, d.ID)
					}
					if next == "" {
						break
					}
					cursor = next
				}
			}
			failed := 0
			for _, id := range ids {
				d, err := st.ReplayDeadLetter(ctx, id, time.Now())
				if err != nil {
					failed++
					fmt.Fprintf(cmd.ErrOrStderr(), "%s: %v\n", id, err)
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "replayed %s (run %s, step %s)\n", d.ID, d.RunID, d.StepID)
			}
			if failed > 0 {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&path, "config", "", "config file (default: the built-in quickstart)")
	cmd.Flags().StringVar(&data, "data", "", "data folder (overrides data_dir)")
	cmd.Flags().BoolVar(&all, "all", false, "replay every dead letter not yet replayed")
	return cmd
}
