// Package connectors defines the contract between the hub and the providers
// it talks to, and the Registry that cmd fills with concrete connectors.
//
// A connector implements what applies of two small interfaces: Inbound
// (verify and parse a provider's webhook) and Action (one named outbound
// operation with a declared parameter spec, a rate-limit key and classified
// errors). The engine speaks to connectors only through this package; it never
// names a provider package.
package connectors
