package luamod

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
)

func TestWithExchangeContext(t *testing.T) {
	type other struct{}
	parent, cancel := context.WithCancelCause(context.WithValue(context.Background(), other{}, "v"))
	ex := NewExchange(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), nil)
	ctx := WithExchange(parent, ex)
	if ExchangeFrom(ctx) != ex || ctx.Value(exchangeKey{}) != ex {
		t.Fatal("exchange not found")
	}
	if ExchangeFrom(context.WithValue(ctx, other{}, 1)) != ex || ExchangeFrom(context.Background()) != nil || ExchangeFrom(nil) != nil {
		t.Fatal("ExchangeFrom through a derived or an unrelated context")
	}
	if ctx.Value(other{}) != "v" {
		t.Fatal("parent values lost")
	}
	// A second context for the same exchange does not disturb the first.
	ctx2 := WithExchange(context.Background(), ex)
	if ctx2 == ctx || ExchangeFrom(ctx2) != ex || ctx.Done() != parent.Done() || ctx2.Done() != nil {
		t.Fatal("second WithExchange changed the first context")
	}
	boom := errors.New("boom")
	cancel(boom)
	select {
	case <-ctx.Done():
	default:
		t.Fatal("Done not closed with the parent")
	}
	if ctx.Err() != context.Canceled || context.Cause(ctx) != boom {
		t.Fatalf("err %v, cause %v", ctx.Err(), context.Cause(ctx))
	}
}
