package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/pressly/goose/v3"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/switchboardhq/switchboard/migrations"
)

// Dialects.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Options configure Open.
type Options struct {
	// Driver is SQLite or Postgres.
	Driver string
	// DSN is the Postgres connection string; for SQLite an optional file path
	// (default DataDir/switchboard.db).
	DSN string
	// DataDir holds the SQLite file.
	DataDir string
	// Logger; nil means discard.
	Logger *slog.Logger
	// MaxBatch bounds how many writes share one transaction (default 256).
	MaxBatch int
}

// Store is the hub's state. It is safe for concurrent use.
type Store struct {
	db      *gorm.DB
	sqlDB   *sql.DB
	dialect string
	log     *slog.Logger
	batch   *Batcher
}

// Open connects to the database. It does not migrate: call Migrate.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	gcfg := &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		PrepareStmt:            true,
	}
	var (
		db  *gorm.DB
		err error
	)
	switch opts.Driver {
	case SQLite, "":
		opts.Driver = SQLite
		path := opts.DSN
		if path == "" {
			if err := os.MkdirAll(opts.DataDir, 0o750); err != nil {
				return nil, fmt.Errorf("store: create data dir: %w", err)
			}
			path = filepath.Join(opts.DataDir, "switchboard.db")
		}
		// WAL with synchronous=FULL: a commit survives a process crash and an
		// OS crash alike. Write transactions take the lock up front
		// (immediate) so two writers never deadlock on an upgrade.
		dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
			"&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_txlock=immediate"
		db, err = gorm.Open(sqliteDialector{dsn: dsn}, gcfg)
	case Postgres:
		if opts.DSN == "" {
			return nil, errors.New("store: postgres needs a dsn")
		}
		db, err = gorm.Open(postgres.Open(opts.DSN), gcfg)
	default:
		return nil, fmt.Errorf("store: unknown driver %q (want sqlite or postgres)", opts.Driver)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", opts.Driver, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if opts.Driver == SQLite {
		sqlDB.SetMaxOpenConns(8)
		sqlDB.SetMaxIdleConns(8)
	} else {
		sqlDB.SetMaxOpenConns(16)
		sqlDB.SetMaxIdleConns(16)
	}
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("store: connect %s: %w", opts.Driver, err)
	}
	s := &Store{db: db, sqlDB: sqlDB, dialect: opts.Driver, log: opts.Logger}
	if s.batch, err = NewBatcher(db, opts.MaxBatch, opts.Logger); err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	return s, nil
}

// Dialect returns SQLite or Postgres.
func (s *Store) Dialect() string { return s.dialect }

// SQLDB returns the underlying pool (the postgres bus shares it).
func (s *Store) SQLDB() *sql.DB { return s.sqlDB }

// Ping checks the database is reachable.
func (s *Store) Ping(ctx context.Context) error { return s.sqlDB.PingContext(ctx) }

// Close stops the batcher and closes the pool. It is idempotent.
func (s *Store) Close() error {
	s.batch.Close()
	if err := s.sqlDB.Close(); err != nil && !errors.Is(err, sql.ErrConnDone) {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

func (s *Store) migrationsFS() (fs.FS, error) {
	sub, err := fs.Sub(migrations.FS, s.dialect)
	if err != nil {
		return nil, fmt.Errorf("store: migrations for %s: %w", s.dialect, err)
	}
	return sub, nil
}

func (s *Store) provider() (*goose.Provider, error) {
	fsys, err := s.migrationsFS()
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectSQLite3
	if s.dialect == Postgres {
		dialect = goose.DialectPostgres
	}
	p, err := goose.NewProvider(dialect, s.sqlDB, fsys)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.provider()
	if err != nil {
		return err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate up: %w", err)
	}
	for _, r := range res {
		s.log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path)
	}
	return nil
}

// MigrateDown rolls back every migration (tests and `migrate --down`).
func (s *Store) MigrateDown(ctx context.Context) error {
	p, err := s.provider()
	if err != nil {
		return err
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		return fmt.Errorf("store: migrate down: %w", err)
	}
	return nil
}

// MigrationVersion returns the current schema version.
func (s *Store) MigrationVersion(ctx context.Context) (int64, error) {
	p, err := s.provider()
	if err != nil {
		return 0, err
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: migration version: %w", err)
	}
	return v, nil
}
