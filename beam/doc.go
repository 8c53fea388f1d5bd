// Package beam runs kiln on Apache Beam.
package beam
