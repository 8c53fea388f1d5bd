// Command serve is the deployment step of chapter 2 of Data Science in
// Production (a Flask endpoint that loads a saved model and scores JSON
// rows), with kiln in its place: it publishes the California housing
// regression of examples/quickstart into a registry and serves the registry
// with package serve, which speaks the Open Inference Protocol, a row
// endpoint and MLflow's /invocations, follows the "production" alias as it
// moves, and exports Prometheus metrics.
//
//	go run ./examples/serve -publish -registry /tmp/kiln-registry
//	go run ./examples/serve -registry /tmp/kiln-registry -addr 127.0.0.1:8080
//
//	curl -s 127.0.0.1:8080/predict -d '{"rows": [{"longitude": -122.23, "latitude": 37.88,
//	  "housing_median_age": 41, "total_rooms": 880, "total_bedrooms": 129, "population": 322,
//	  "households": 126, "median_income": 8.3252, "ocean_proximity": "NEAR BAY"}]}'
//
// Publishing again adds a version and moves the alias to it; the server
// picks it up within a second. `kiln serve` is the same server with every
// option as a flag.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/kiln-ml/kiln/persist"
	"github.com/kiln-ml/kiln/serve"
)

func main() {
	log.SetFlags(0)
	root := flag.String("registry", "kiln-registry", "registry directory")
	name := flag.String("model", "housing", "model name in the registry")
	alias := flag.String("alias", "production", "alias to serve and to move when publishing")
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	publishFlag := flag.Bool("publish", false, "train the housing model on the embedded data, publish it as the next version of -model, point -alias at it, and exit")
	flag.Parse()

	reg := &persist.Registry{Root: *root}
	if *publishFlag {
		ref, r2, err := publishHousing(reg, *name, *alias, 42)
		if err != nil {
			log.Fatal("serve: ", err)
		}
		fmt.Printf("published %s (held-out R2 %.4f) in %s; %q now points at version %d\n", ref, r2, *root, *alias, ref.Version)
		return
	}
	s, err := serve.NewRegistry(reg, serve.Options{Alias: *alias, Default: *name, PollInterval: time.Second})
	if err != nil {
		log.Fatalf("%v (publish a model first: go run ./examples/serve -publish -registry %s)", err, *root)
	}
	defer s.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("serving %s on http://%s", *root, ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve.Run(ctx, serve.HTTPServer(*addr, s), ln, 10*time.Second); err != nil {
		log.Fatal(err)
	}
}
