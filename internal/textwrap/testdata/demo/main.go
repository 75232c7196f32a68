// Command demo prints a diagnosis-like block, wrapped with textwrap at the
// width of its terminal, for TestDemoInTmux. With -raw it prints the same
// text unwrapped, as a renderer that does not wrap would.
package main

import (
	"fmt"
	"os"

	"github.com/lambda-doctor/lambda-doctor/internal/textwrap"
)

const prose = `implicit deny — the resource policy has 1 Allow statement; none allows this request; "apigw-old": condition ArnLike AWS:SourceArn: request value "arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5/prod/POST/orders" matches none of ["arn:aws:execute-api:us-east-1:111122223333:zz9yy8xx7w/*"]`

const command = `aws lambda add-permission --function-name order-processor --statement-id apigw-a1b2c3d4e5-prod-POST-orders --action lambda:InvokeFunction --principal apigateway.amazonaws.com --source-account 111122223333 --source-arn arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5/prod/POST/orders --region us-east-1 && aws iam put-role-policy --role-name order-processor-role --policy-name lambda-doctor-dynamodb-PutItem --policy-document '{"Version":"2012-10-17","Statement":[{"Sid":"AllowDynamodbPutItem","Effect":"Allow","Action":"dynamodb:PutItem","Resource":"arn:aws:dynamodb:us-east-1:111122223333:table/Orders"}]}' --region us-east-1`

func main() {
	w := textwrap.TerminalWidth(os.Stdout)
	fmt.Printf("width %d\n", w)
	if len(os.Args) > 1 && os.Args[1] == "-raw" {
		fmt.Println("  decision  " + prose)
		fmt.Println("---")
		fmt.Println("    " + command)
		return
	}
	fmt.Println(textwrap.Indent(prose, w, "  decision  ", "            "))
	fmt.Println("---")
	fmt.Println(textwrap.Command(command, w, "    ", "      "))
}
