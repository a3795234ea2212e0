package store

import (
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/callbacks"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
	"gorm.io/gorm/migrator"
	"gorm.io/gorm/schema"
	_ "modernc.org/sqlite" // pure-Go SQLite, database/sql driver "sqlite"
)

// sqliteDialector is GORM's view of SQLite through modernc.org/sqlite. That
// driver keeps each statement prepared across executions (the driver behind
// gorm's usual pure-Go dialector parses the SQL again every time, a sixth of
// the hub's CPU under load). The store needs little of a dialector: tables
// come from the migrations, writes are explicit SQL, and reads use GORM's
// query builder, so this covers quoting, bind variables and the default
// callbacks.
type sqliteDialector struct {
	dsn string
}

var _ gorm.Dialector = sqliteDialector{}

func (sqliteDialector) Name() string { return "sqlite" }

func (d sqliteDialector) Initialize(db *gorm.DB) error {
	conn, err := sql.Open("sqlite", d.dsn)
	if err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	db.ConnPool = conn
	callbacks.RegisterDefaultCallbacks(db, &callbacks.Config{
		CreateClauses:        []string{"INSERT", "VALUES", "ON CONFLICT", "RETURNING"},
		UpdateClauses:        []string{"UPDATE", "SET", "FROM", "WHERE", "RETURNING"},
		DeleteClauses:        []string{"DELETE", "FROM", "WHERE", "RETURNING"},
		LastInsertIDReversed: true,
	})
	db.ClauseBuilders["LIMIT"] = func(c clause.Clause, b clause.Builder) {
		limit, ok := c.Expression.(clause.Limit)
		if !ok {
			c.Build(b)
			return
		}
		if limit.Limit != nil && *limit.Limit >= 0 {
			b.WriteString("LIMIT " + strconv.Itoa(*limit.Limit))
		} else if limit.Offset > 0 {
			b.WriteString("LIMIT -1")
		}
		if limit.Offset > 0 {
			b.WriteString(" OFFSET " + strconv.Itoa(limit.Offset))
		}
	}
	db.ClauseBuilders["FOR"] = func(c clause.Clause, b clause.Builder) {
		if _, ok := c.Expression.(clause.Locking); !ok {
			c.Build(b)
		} // SQLite has no row locks: a write transaction holds the database.
	}
	return nil
}

func (d sqliteDialector) Migrator(db *gorm.DB) gorm.Migrator {
	return migrator.Migrator{Config: migrator.Config{DB: db, Dialector: d}}
}

func (sqliteDialector) DataTypeOf(field *schema.Field) string {
	switch field.DataType {
	case schema.Bool, schema.Int, schema.Uint:
		return "integer"
	case schema.Float:
		return "real"
	case schema.Time:
		return "timestamp"
	case schema.Bytes:
		return "blob"
	}
	return "text"
}

func (sqliteDialector) DefaultValueOf(*schema.Field) clause.Expression {
	return clause.Expr{SQL: "NULL"}
}

func (sqliteDialector) BindVarTo(w clause.Writer, _ *gorm.Statement, _ any) {
	_ = w.WriteByte('?')
}

func (sqliteDialector) QuoteTo(w clause.Writer, s string) {
	for i, part := range strings.Split(s, ".") {
		if i > 0 {
			_ = w.WriteByte('.')
		}
		_ = w.WriteByte('`')
		_, _ = w.WriteString(strings.ReplaceAll(part, "`", "``"))
		_ = w.WriteByte('`')
	}
}

func (sqliteDialector) Explain(sql string, vars ...any) string {
	return logger.ExplainSQL(sql, nil, `"`, vars...)
}
