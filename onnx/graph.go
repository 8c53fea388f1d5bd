package onnx

import (
	"fmt"

	pb "github.com/kiln-ml/kiln/onnx/internal/onnxpb"
	"google.golang.org/protobuf/proto"
)

// The versions every exported model declares: IR version 8 with the ai.onnx
// operator set 17 and ai.onnx.ml 3, the newest that Debian's onnx 1.12
// checker knows, and well inside what ONNX Runtime 1.30 runs.
const (
	irVersion = 8
	opset     = 17
	mlOpset   = 3
	mlDomain  = "ai.onnx.ml"
)

// Element types of the tensors the exporter writes (TensorProto.DataType).
const (
	tFloat  = int32(pb.TensorProto_FLOAT)
	tDouble = int32(pb.TensorProto_DOUBLE)
	tInt64  = int32(pb.TensorProto_INT64)
	tString = int32(pb.TensorProto_STRING)
	tBool   = int32(pb.TensorProto_BOOL)
)

// graph accumulates the nodes, constants, inputs and outputs of one model.
type graph struct {
	nodes   []*pb.NodeProto
	consts  []*pb.TensorProto
	inputs  []*pb.ValueInfoProto
	outputs []*pb.ValueInfoProto
	used    map[string]int // how many names each prefix has given
	usesML  bool
}

func newGraph() *graph { return &graph{used: make(map[string]int)} }

// fresh returns a name not used before in the graph, from prefix.
func (g *graph) fresh(prefix string) string {
	n := g.used[prefix]
	g.used[prefix] = n + 1
	if n == 0 {
		return prefix
	}
	return fmt.Sprintf("%s_%d", prefix, n)
}

// op adds a node of the default domain with one output and returns the
// output's name.
func (g *graph) op(opType string, inputs []string, attrs ...*pb.AttributeProto) string {
	return g.opIn("", opType, inputs, attrs...)
}

// opIn adds a node of a domain ("" is ai.onnx) with one output.
func (g *graph) opIn(domain, opType string, inputs []string, attrs ...*pb.AttributeProto) string {
	out := g.fresh(opType)
	g.nodeTo(domain, opType, inputs, out, attrs...)
	return out
}

// nodeTo adds a node whose single output has the given name.
func (g *graph) nodeTo(domain, opType string, inputs []string, out string, attrs ...*pb.AttributeProto) {
	n := &pb.NodeProto{
		Name:      proto.String(g.fresh("node_" + opType)),
		OpType:    proto.String(opType),
		Input:     inputs,
		Output:    []string{out},
		Attribute: attrs,
	}
	if domain != "" {
		n.Domain = proto.String(domain)
		if domain == mlDomain {
			g.usesML = true
		}
	}
	g.nodes = append(g.nodes, n)
}

// identity names an existing value out, for graph outputs.
func (g *graph) identity(in, out string) {
	g.nodeTo("", "Identity", []string{in}, out)
}

func (g *graph) constant(name string, t *pb.TensorProto) string {
	t.Name = proto.String(g.fresh(name))
	g.consts = append(g.consts, t)
	return t.GetName()
}

// doubles adds a constant double tensor of the given shape.
func (g *graph) doubles(name string, vals []float64, dims ...int64) string {
	return g.constant(name, &pb.TensorProto{DataType: proto.Int32(tDouble), Dims: dims, DoubleData: vals})
}

// int64s adds a constant int64 tensor of the given shape.
func (g *graph) int64s(name string, vals []int64, dims ...int64) string {
	return g.constant(name, &pb.TensorProto{DataType: proto.Int32(tInt64), Dims: dims, Int64Data: vals})
}

// strs adds a constant string tensor of the given shape.
func (g *graph) strs(name string, vals []string, dims ...int64) string {
	data := make([][]byte, len(vals))
	for i, s := range vals {
		data[i] = []byte(s)
	}
	return g.constant(name, &pb.TensorProto{DataType: proto.Int32(tString), Dims: dims, StringData: data})
}

// scalar adds a 0-d double constant.
func (g *graph) scalar(name string, v float64) string { return g.doubles(name, []float64{v}) }

// axes adds a 1-d int64 constant of axes, for Squeeze, Unsqueeze and ReduceSum.
func (g *graph) axes(ax ...int64) string { return g.int64s("axes", ax, int64(len(ax))) }

// valueInfo describes a tensor of elem type with dimensions that are either
// fixed sizes (int) or named, variable ones (string).
func valueInfo(name string, elem int32, dims ...any) *pb.ValueInfoProto {
	shape := &pb.TensorShapeProto{}
	for _, d := range dims {
		dim := &pb.TensorShapeProto_Dimension{}
		switch v := d.(type) {
		case int:
			dim.Value = &pb.TensorShapeProto_Dimension_DimValue{DimValue: int64(v)}
		case string:
			dim.Value = &pb.TensorShapeProto_Dimension_DimParam{DimParam: v}
		}
		shape.Dim = append(shape.Dim, dim)
	}
	return &pb.ValueInfoProto{
		Name: proto.String(name),
		Type: &pb.TypeProto{Value: &pb.TypeProto_TensorType{TensorType: &pb.TypeProto_Tensor{ElemType: proto.Int32(elem), Shape: shape}}},
	}
}

func attrInt(name string, v int64) *pb.AttributeProto {
	return &pb.AttributeProto{Name: proto.String(name), Type: pb.AttributeProto_INT.Enum(), I: proto.Int64(v)}
}

func attrInts(name string, v []int64) *pb.AttributeProto {
	return &pb.AttributeProto{Name: proto.String(name), Type: pb.AttributeProto_INTS.Enum(), Ints: v}
}

func attrString(name, v string) *pb.AttributeProto {
	return &pb.AttributeProto{Name: proto.String(name), Type: pb.AttributeProto_STRING.Enum(), S: []byte(v)}
}

func attrStrings(name string, v []string) *pb.AttributeProto {
	data := make([][]byte, len(v))
	for i, s := range v {
		data[i] = []byte(s)
	}
	return &pb.AttributeProto{Name: proto.String(name), Type: pb.AttributeProto_STRINGS.Enum(), Strings: data}
}

func attrTensor(name string, t *pb.TensorProto) *pb.AttributeProto {
	return &pb.AttributeProto{Name: proto.String(name), Type: pb.AttributeProto_TENSOR.Enum(), T: t}
}

// cast converts a value to elem type.
func (g *graph) cast(in string, elem int32) string {
	return g.op("Cast", []string{in}, attrInt("to", int64(elem)))
}

// model wraps the graph in a ModelProto with the opsets it uses.
func (g *graph) model(name string, meta []*pb.StringStringEntryProto, doc string) *pb.ModelProto {
	opsets := []*pb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(opset)}}
	if g.usesML {
		opsets = append(opsets, &pb.OperatorSetIdProto{Domain: proto.String(mlDomain), Version: proto.Int64(mlOpset)})
	}
	return &pb.ModelProto{
		IrVersion:       proto.Int64(irVersion),
		OpsetImport:     opsets,
		ProducerName:    proto.String("kiln"),
		ProducerVersion: proto.String(libraryVersion),
		DocString:       proto.String(doc),
		MetadataProps:   meta,
		Graph: &pb.GraphProto{
			Name:        proto.String(name),
			Node:        g.nodes,
			Initializer: g.consts,
			Input:       g.inputs,
			Output:      g.outputs,
		},
	}
}

// doubleTensor is a one-element double tensor, for ConstantOfShape's value.
func doubleTensor(v float64) *pb.TensorProto {
	return &pb.TensorProto{DataType: proto.Int32(tDouble), Dims: []int64{1}, DoubleData: []float64{v}}
}
