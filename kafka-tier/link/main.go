// The Kafka tier's link emulator: Toxiproxy's server (github.com/Shopify/toxiproxy/v2, its proxies and its latency
// and bandwidth toxics, unchanged) with one more toxic, "meter", that counts the bytes passing through it while
// connections are open, and an endpoint that reports those counts.
//
// Why not the stock toxiproxy-server: its byte counters (-proxy-metrics) are added when a connection closes
// (link.go, ToxicLink.read/write: the count of io.Copy is added after the copy returns), and the connections of a
// Kafka client live as long as the client, so they would show nothing while MirrorMaker 2 runs.
//
// Usage: link-emulator -host 127.0.0.1 -port <port>. Toxiproxy's HTTP API on that address, plus
//   GET /meters  ->  {"<key>": <bytes>, ...} for every meter toxic's key (a toxic attribute set at creation).
// SIGTERM or SIGINT stops every proxy (closing their connections) and exits.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/Shopify/toxiproxy/v2"
	"github.com/Shopify/toxiproxy/v2/toxics"
)

var (
	metersMu sync.Mutex
	meters   = map[string]*atomic.Int64{}
)

func meter(key string) *atomic.Int64 {
	metersMu.Lock()
	defer metersMu.Unlock()
	m, ok := meters[key]
	if !ok {
		m = new(atomic.Int64)
		meters[key] = m
	}
	return m
}

// MeterToxic passes every chunk on unchanged and adds its length to the meter named Key.
type MeterToxic struct {
	Key string `json:"key"`
}

func (t *MeterToxic) Pipe(stub *toxics.ToxicStub) {
	m := meter(t.Key)
	for {
		select {
		case <-stub.Interrupt:
			return
		case c := <-stub.Input:
			if c == nil {
				stub.Close()
				return
			}
			m.Add(int64(len(c.Data)))
			stub.Output <- c
		}
	}
}

func main() {
	host := flag.String("host", "127.0.0.1", "address of the HTTP API")
	port := flag.String("port", "8474", "port of the HTTP API")
	flag.Parse()

	toxics.Register("meter", new(MeterToxic))
	level := zerolog.WarnLevel
	if v, ok := os.LookupEnv("LOG_LEVEL"); ok {
		if l, err := zerolog.ParseLevel(v); err == nil {
			level = l
		}
	}
	logger := zerolog.New(os.Stdout).With().Timestamp().Logger().Level(level)
	server := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), logger)

	routes := server.Routes()
	routes.HandleFunc("/meters", func(w http.ResponseWriter, _ *http.Request) {
		metersMu.Lock()
		out := make(map[string]int64, len(meters))
		for k, m := range meters {
			out[k] = m.Load()
		}
		metersMu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	}).Methods("GET").Name("Meters")

	addr := net.JoinHostPort(*host, *port)
	httpServer := &http.Server{Addr: addr, Handler: routes, ReadTimeout: 15 * time.Second, WriteTimeout: 30 * time.Second}
	go func() {
		if err := httpServer.ListenAndServe(); err != nil && err != http.ErrServerClosed {
			fmt.Fprintf(os.Stderr, "link emulator: %v\n", err)
			os.Exit(1)
		}
	}()
	fmt.Printf("link emulator (Toxiproxy %s) listening on %s\n", toxiproxy.Version, addr)

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	<-signals
	_ = httpServer.Close()
	_ = server.Collection.Clear()
}
