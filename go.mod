module github.com/kiln-ml/kiln

go 1.26.8

require (
	github.com/apache/arrow/go/v14 v14.0.2 // indirect
	github.com/james-bowman/sparse v0.0.0-20260216202247-495ee4f84d35 // indirect
	golang.org/x/sync v0.24.0 // indirect
	gonum.org/v1/gonum v0.17.0 // indirect
)
