// Load SHIPS_VIA relationships (Site, Facility -> Port): A place ships through a port: cited, or inferred as the nearest suitable port.
// Parameters: $rows = [{source_id: ..., target_id: ..., key: "e123", props: {kind: "SHIPS_VIA", ...}}]
//   key is the edge key of the networkx graph: several SHIPS_VIA relationships may join the same
//   two nodes (e.g. one per year), and the key keeps them apart.
// Idempotent: MERGE on the key, then SET += (a second load changes no counts).
UNWIND $rows AS row
MATCH (a:MGNode {id: row.source_id})
MATCH (b:MGNode {id: row.target_id})
MERGE (a)-[r:SHIPS_VIA {key: row.key}]->(b)
SET r += row.props
