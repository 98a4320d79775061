import Foundation

/// The keys a JSON file given to a flag may hold, by place: a misspelt key (`intended_us`) in a
/// model card or signature would otherwise be ignored without a word by the decoder, as the
/// rollout policy and cluster files already refuse.
struct JSONKnownKeys {
    /// Place → the keys allowed in the object there. A place is `""` for the top, a key's path
    /// (`a.b`), and `[]` after a list (`inputs[]`, the objects in the list `inputs`). Objects at
    /// places not listed (a map of metric names) are not checked.
    let allowed: [String: Set<String>]

    /// The model card's keys.
    static let modelCard = JSONKnownKeys(allowed: [
        "": ["intended_use", "limitations", "training_data", "evaluation_slices", "owners"],
        "evaluation_slices[]": ["name", "metrics"],
    ])

    /// The model signature's keys.
    static let modelSignature = JSONKnownKeys(allowed: [
        "": ["inputs", "outputs"], "inputs[]": ["name", "type", "shape"], "outputs[]": ["name", "type", "shape"],
    ])

    /// The first key not allowed where it is, as a path such as `inputs[0].typ`, with the keys
    /// allowed there; nil when there is none, or the text is not JSON (left to the decoder).
    func firstUnknown(in data: Data) -> (path: String, allowed: Set<String>)? {
        guard let top = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return nil }
        return find(top, place: "", path: "")
    }

    private func find(_ value: Any, place: String, path: String) -> (path: String, allowed: Set<String>)? {
        if let object = value as? [String: Any] {
            if let keys = allowed[place], let unknown = object.keys.sorted().first(where: { !keys.contains($0) }) {
                return (path.isEmpty ? unknown : "\(path).\(unknown)", keys)
            }
            for key in object.keys.sorted() {
                if let found = find(object[key] as Any, place: place.isEmpty ? key : "\(place).\(key)", path: path.isEmpty ? key : "\(path).\(key)") {
                    return found
                }
            }
        } else if let list = value as? [Any] {
            for (index, element) in list.enumerated() {
                if let found = find(element, place: place + "[]", path: "\(path)[\(index)]") { return found }
            }
        }
        return nil
    }
}
