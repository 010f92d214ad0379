// Load IMPORT_RELIANCE relationships (Country -> Commodity): Net import reliance of a country on a commodity as published (USGS).
// Parameters: $rows = [{source_id: ..., target_id: ..., key: "r3f2a…", props: {key: "r3f2a…", kind: "IMPORT_RELIANCE", ...}}]
//   key is the edge key of the networkx graph, derived from the endpoints, the type and the
//   identifying attributes (minerals_graph.build.edge_key): several IMPORT_RELIANCE relationships may join
//   the same two nodes (e.g. one per year), the key keeps them apart and names the same
//   relationship in every build.
// Idempotent: MERGE on the key, then SET = (a second load changes no counts): the
//   relationship's properties become exactly the graph's (props holds the key too).
UNWIND $rows AS row
MATCH (a:MGNode {id: row.source_id})
MATCH (b:MGNode {id: row.target_id})
MERGE (a)-[r:IMPORT_RELIANCE {key: row.key}]->(b)
SET r = row.props
