package appapi

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"creditpocket/internal/httpapi"
	"creditpocket/internal/sms"
)

// testServer serves the app API.
func testServer() *httpapi.Server {
	return httpapi.New(httpapi.Server{SMS: &sms.Sandbox{}, DevSandbox: true, APIs: []httpapi.API{Routes}}, httpapi.Options{})
}

// TestDocumentedBodiesMatchRequestTypes keeps each JSON body's documented
// fields equal to the struct the handler decodes (unknown fields are
// refused, so an undocumented field would be unusable, and a documented one
// missing from the struct would be refused).
func TestDocumentedBodiesMatchRequestTypes(t *testing.T) {
	types := map[string]any{
		"POST /sms/code": sendCodeReq{}, "POST /sms/verify": verifyCodeReq{}, "POST /user/register": registerReq{},
		"POST /user/login": loginReq{}, "POST /user/info/basic": basicReq{}, "POST /user/info/contacts": contactsReq{},
		"POST /user/info/work": workReq{}, "POST /user/bankcard": cardReq{}, "POST /user/transferRecipient": idReq{},
		"POST /bankcard/default": idReq{},
	}
	for _, rt := range testServer().Routes() {
		key := rt.Method + " " + rt.Path
		v, ok := types[key]
		if !ok {
			continue
		}
		delete(types, key)
		if rt.Body == nil {
			t.Errorf("%s: no documented body", key)
			continue
		}
		compareFields(t, key, rt.Body, reflect.TypeOf(v))
	}
	for k := range types {
		t.Errorf("%s is not a route any more", k)
	}
}

func compareFields(t *testing.T, where string, doc []httpapi.Field, typ reflect.Type) {
	t.Helper()
	var documented, decoded []string
	for _, f := range doc {
		documented = append(documented, f.Name)
	}
	for i := range typ.NumField() {
		sf := typ.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		decoded = append(decoded, name)
		if sf.Type.Kind() == reflect.Slice && sf.Type.Elem().Kind() == reflect.Struct {
			for _, f := range doc {
				if f.Name == name {
					compareFields(t, where+"."+name+"[]", f.Items, sf.Type.Elem())
				}
			}
		}
	}
	slices.Sort(documented)
	slices.Sort(decoded)
	if !slices.Equal(documented, decoded) {
		t.Errorf("%s: documented %v, decoded %v", where, documented, decoded)
	}
}
