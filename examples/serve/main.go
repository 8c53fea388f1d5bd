// Command serve is a small HTTP scoring service, the deployment step of
// chapter 2 of Data Science in Production (a Flask endpoint that loads a
// pickled model and scores JSON rows), with kiln in its place: it loads a
// pipeline from a persist.Registry by name and alias ("production"), scores
// the JSON rows it is sent, and answers with every prediction and the model's
// name and version, so a caller always knows which model answered.
//
// First publish a model (the California housing regression of
// examples/quickstart, trained on the embedded data) into a registry, then
// serve it:
//
//	go run ./examples/serve -publish -registry /tmp/kiln-registry
//	go run ./examples/serve -registry /tmp/kiln-registry -addr 127.0.0.1:8080
//
//	curl -s 127.0.0.1:8080/predict -d '{"rows": [{"longitude": -122.23, "latitude": 37.88,
//	  "housing_median_age": 41, "total_rooms": 880, "total_bedrooms": 129, "population": 322,
//	  "households": 126, "median_income": 8.3252, "ocean_proximity": "NEAR BAY"}]}'
//	{"model":"housing","version":1,"predictions":[410694.18063558]}
//
// Endpoints: POST /predict scores {"rows": [...]} (a missing or null number is
// imputed as in training); GET /model describes the model being served;
// POST /reload loads the version the alias points at now, so that moving
// "production" to a new version (Registry.SetAlias) takes effect without a
// restart. Publishing again adds a version and moves the alias to it.
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/kiln-ml/kiln/persist"
)

func main() {
	log.SetFlags(0)
	root := flag.String("registry", "kiln-registry", "registry directory")
	name := flag.String("model", "housing", "model name in the registry")
	alias := flag.String("alias", "production", "alias (or version number, or \"latest\") to serve")
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
	s, err := newServer(reg, *name, *alias)
	if err != nil {
		if errors.Is(err, errNoModel) {
			log.Fatalf("serve: %v (publish one first: go run ./examples/serve -publish -registry %s)", err, *root)
		}
		log.Fatal("serve: ", err)
	}
	srv := &http.Server{
		Addr:              *addr,
		Handler:           s.routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
	}
	ref := s.current.Load().Ref()
	log.Printf("serving %s (%s) on http://%s", ref, *alias, *addr)
	log.Fatal(srv.ListenAndServe())
}
