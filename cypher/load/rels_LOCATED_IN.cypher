// Load LOCATED_IN relationships (Site, Facility, Port, Company -> Country): Where a place is; a company's headquarters.
// Parameters: $rows = [{source_id: ..., target_id: ..., key: "r3f2a…", props: {key: "r3f2a…", kind: "LOCATED_IN", ...}}]
//   key is the edge key of the networkx graph, derived from the endpoints, the type and the
//   identifying attributes (minerals_graph.build.edge_key): several LOCATED_IN relationships may join
//   the same two nodes (e.g. one per year), the key keeps them apart and names the same
//   relationship in every build.
// Idempotent: MERGE on the key, then SET = (a second load changes no counts): the
//   relationship's properties become exactly the graph's (props holds the key too).
UNWIND $rows AS row
MATCH (a:MGNode {id: row.source_id})
MATCH (b:MGNode {id: row.target_id})
MERGE (a)-[r:LOCATED_IN {key: row.key}]->(b)
SET r = row.props
