package config_test

import (
	"fmt"

	"github.com/switchboardhq/switchboard/config"
)

func ExampleParse() {
	src := []byte(`server:
  adr: ":9000"
engine:
  workers: 0
connectors:
  whatsapp:
    mode: sandbox
    token: ${WA_TOKEN}
`)
	_, err := config.Parse("hub.yaml", src, func(string) (string, bool) { return "", false })
	fmt.Println(err)
	// Output:
	// hub.yaml:2:3: server.adr: unknown key "adr"; did you mean "addr"?
	// hub.yaml:4:12: engine.workers: must be between 1 and 1024, got 0
	// hub.yaml:8:12: connectors.whatsapp.token: environment variable WA_TOKEN is not set (use ${WA_TOKEN:-default} for a fallback)
}

func ExampleConnector_Decode() {
	src := []byte(`connectors:
  shopify:
    mode: sandbox
    shop: example.myshopify.com
    api_version: 2025-01
    webhook_secret: ${SHOPIFY_SECRET:-dev-secret}
`)
	cfg, err := config.Parse("hub.yaml", src, nil)
	if err != nil {
		panic(err)
	}
	var settings struct {
		Shop          string `yaml:"shop"`
		WebhookSecret string `yaml:"webhook_secret"`
	}
	conn := cfg.Connectors["shopify"]
	fmt.Println(conn.Mode)
	fmt.Println(conn.Decode(&settings))
	fmt.Println(settings.Shop)
	// Output:
	// sandbox
	// hub.yaml:5:5: connectors.shopify.api_version: unknown key "api_version"
	// example.myshopify.com
}
