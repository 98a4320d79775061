import MLOpsStorage
import Foundation

extension ClusterSpec {
    /// Reads a cluster from a file: the JSON form (see ``ClusterSpec``) or an Alibaba 2023 node
    /// list (`sn,cpu_milli,memory_mib,gpu,model`).
    ///
    /// - Throws: ``SchedulingError`` naming the file and what is wrong in it.
    public static func read(path: String) throws(SchedulingError) -> ClusterSpec {
        var data: Data
        do {
            data = try FileIO.readAll(path, limit: FileIO.configurationFileLimit)
        } catch {
            throw SchedulingError(.invalidCluster, FileReadProblem.describe(path, error), location: path, fix: "give the path of a cluster file")
        }
        // A UTF-8 byte-order mark is not content.
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        if data.starts(with: bom) { data = Data(data.dropFirst(3)) }
        let blank: Set<UInt8> = [32, 9, 10, 13]
        let firstByte = data.first { !blank.contains($0) }
        if firstByte == UInt8(ascii: "{") { return try decodeJSON(data, source: path) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SchedulingError(.invalidCluster, "is not UTF-8 text", location: path, fix: "give a JSON cluster or a node-list CSV")
        }
        return try parseNodeList(text, source: path)
    }

    /// Parses an Alibaba 2023 node list (`sn,cpu_milli,memory_mib,gpu,model`).
    ///
    /// - Throws: ``SchedulingError/Code/invalidCluster`` naming the line and the column.
    public static func parseNodeList(_ text: String, source: String = "nodes") throws(SchedulingError) -> ClusterSpec {
        let csv = CSVLines(text)
        guard Set(csv.header).isSuperset(of: ["sn", "gpu"]) else {
            throw SchedulingError(
                .invalidCluster, "has header \(csv.header.joined(separator: ",")), neither JSON nor a node list", location: "\(source):1",
                fix: "give JSON ({\"nodes\": […]}) or a CSV with columns sn,cpu_milli,memory_mib,gpu,model")
        }
        try csv.checkShape(source: source, code: .invalidCluster)
        var reader = RowReader(header: csv.header, source: source)
        var nodes: [NodeSpec] = []
        for (line, fields) in csv.rows {
            reader.line = line
            reader.fields = fields
            do {
                nodes.append(
                    NodeSpec(
                        name: try reader.text("sn"), gpuModel: reader.optionalText("model") ?? "gpu", gpus: try reader.count("gpu", minimum: 0),
                        cpuMilli: reader.has("cpu_milli") ? try reader.count("cpu_milli", minimum: 0) : nil,
                        memoryMiB: reader.has("memory_mib") ? try reader.count("memory_mib", minimum: 0) : nil))
            } catch {
                throw SchedulingError(.invalidCluster, error.message, location: error.location, fix: error.fix)
            }
        }
        let cluster = ClusterSpec(nodes: nodes)
        try cluster.validate(readFrom: source)
        return cluster
    }
}
