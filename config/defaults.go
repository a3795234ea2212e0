package config

import "time"

// Defaults for the settings a file may leave out.
const (
	DefaultAddr          = ":8080"
	DefaultMaxBodyBytes  = 1 << 20
	DefaultDataDir       = "./data"
	DefaultStoreDriver   = "sqlite"
	DefaultBusDriver     = "embedded"
	DefaultBusGroup      = "switchboard"
	DefaultRegion        = "AU"
	DefaultWorkers       = 64
	DefaultMaxAttempts   = 8
	DefaultRetryBase     = time.Second
	DefaultRetryMax      = 5 * time.Minute
	DefaultSweepInterval = 30 * time.Second
	DefaultStepTimeout   = 30 * time.Second
	DefaultLogLevel      = "info"
	DefaultLogFormat     = "text"
	DefaultPipelines     = "pipelines/*.yaml"
)

// Default returns the configuration used when there is no config file:
// every setting at its default, no API keys and no connectors. It equals
// what [Parse] returns for an empty file, except for File.
func Default() *Config {
	c := &Config{}
	c.setDefaults()
	return c
}

// setDefaults fills every setting the file did not set. A key set to null
// counts as not set; a key set to an empty or zero value stays as written,
// for Validate to judge.
func (c *Config) setDefaults() {
	def := func(path string) bool {
		_, set := c.pos[path]
		return !set
	}
	if def("server.addr") {
		c.Server.Addr = DefaultAddr
	}
	if def("server.max_body_bytes") {
		c.Server.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if def("data_dir") {
		c.DataDir = DefaultDataDir
	}
	if def("store.driver") {
		c.Store.Driver = DefaultStoreDriver
	}
	if def("bus.driver") {
		c.Bus.Driver = DefaultBusDriver
	}
	if def("bus.group") {
		c.Bus.Group = DefaultBusGroup
	}
	if def("contacts.default_region") {
		c.Contacts.DefaultRegion = DefaultRegion
	}
	e := &c.Engine
	if def("engine.workers") {
		e.Workers = DefaultWorkers
	}
	if def("engine.max_attempts") {
		e.MaxAttempts = DefaultMaxAttempts
	}
	if def("engine.retry_base") {
		e.RetryBase = DefaultRetryBase
	}
	if def("engine.retry_max") {
		e.RetryMax = DefaultRetryMax
	}
	if def("engine.sweep_interval") {
		e.SweepInterval = DefaultSweepInterval
	}
	if def("engine.step_timeout") {
		e.StepTimeout = DefaultStepTimeout
	}
	if def("log.level") {
		c.Log.Level = DefaultLogLevel
	}
	if def("log.format") {
		c.Log.Format = DefaultLogFormat
	}
	if def("pipelines") {
		c.Pipelines = []string{DefaultPipelines}
	}
	for name, conn := range c.Connectors {
		if def("connectors." + name + ".mode") {
			conn.Mode = ModeLive
		}
	}
}
