package shopify_test

import (
	"fmt"
	"net/http"

	"github.com/switchboardhq/switchboard/connectors/shopify"
	"github.com/switchboardhq/switchboard/connectors/shopify/fake"
)

func ExampleConnector_Parse() {
	c, err := shopify.New(shopify.Config{APISecret: "shpss_example", ShopDomain: "your-shop.myshopify.com"}, shopify.Options{})
	if err != nil {
		panic(err)
	}
	body := []byte(`{"id":450789469,"name":"#1001","total_price":"59.99","currency":"USD",` +
		`"customer":{"id":207119551,"first_name":"Bob","last_name":"Norman","phone":"(502) 459-2181","default_address":{"country_code":"US"}}}`)
	h := http.Header{}
	h.Set(shopify.HeaderTopic, "orders/paid")
	h.Set(shopify.HeaderShopDomain, "your-shop.myshopify.com")
	h.Set(shopify.HeaderEventID, "98880550-7158-44d4-b7cd-2c97c8a091b5")
	h.Set(shopify.HeaderHmac, fake.Sign("shpss_example", body))

	if err := c.Verify(h, body); err != nil {
		panic(err)
	}
	evs, err := c.Parse(h, body)
	if err != nil {
		panic(err)
	}
	ev := evs[0]
	fmt.Println(ev.Type, ev.Subject, ev.DedupKey)
	fmt.Println(ev.Data["order_name"], ev.Data["total"], ev.Data["currency"], ev.Data["status"])
	fmt.Println(ev.Contact.FirstName, ev.Contact.Phone, ev.Contact.ProviderIDs["shopify"])
	// Output:
	// order.paid 450789469 98880550-7158-44d4-b7cd-2c97c8a091b5
	// #1001 59.99 USD paid
	// Bob +15024592181 207119551
}
