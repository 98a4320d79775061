import Foundation
import MLOpsCommands

/// The `mlops` executable: every command lives in the MLOpsCommands library.
@main
enum Entry {
    static func main() async {
        exit(await MLOps.main(arguments: nil))
    }
}
